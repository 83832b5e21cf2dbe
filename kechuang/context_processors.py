"""Template context every page needs: which menu entries the user has, the synthetic-data notice."""

from django.core.cache import cache

from kechuang.core.extensions import app_nav_templates
from kechuang.core.permissions import can_view_audit
from kechuang.enterprises.models import Enterprise
from kechuang.ingest.services import can_import


def platform(request):
    user = getattr(request, "user", None)
    synthetic = cache.get("kechuang:has-synthetic")
    if synthetic is None:
        synthetic = Enterprise.objects.filter(is_synthetic=True).exists()
        cache.set("kechuang:has-synthetic", synthetic, 60)
    return {
        "perms_nav": {"import": can_import(user), "audit": can_view_audit(user)},
        "synthetic_notice": synthetic,
        "app_nav_templates": app_nav_templates(),
    }
