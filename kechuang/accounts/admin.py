from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kechuang.core.admin import AuditedAdmin
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot

from .models import Organization, Region, User


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "parent"]
    search_fields = ["code", "name"]


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region", "enterprise", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["enterprise"]


def _without_password(user) -> dict:
    return {k: v for k, v in model_snapshot(user).items() if k != "password"}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users are audited like every other write, without their password hash."""

    list_display = ["username", "display_name", "organization", "role", "is_active", "is_superuser"]
    list_filter = ["role", "is_active", "organization__kind"]
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("机构与角色"), {"fields": ("display_name", "organization", "role")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, (_("机构与角色"), {"fields": ("display_name", "organization", "role")}))

    def save_model(self, request, obj, form, change):
        before = _without_password(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE,
                     instance=obj, before=before, after=_without_password(obj), purpose="admin")

    def delete_model(self, request, obj):
        before, pk = _without_password(obj), obj.pk
        super().delete_model(request, obj)
        audit_record(actor=request.user, action=AuditAction.DELETE, object_type="accounts.user",
                     object_id=str(pk), object_repr=before["username"], before=before, purpose="admin")
