"""Pages of the core app: the audit log."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from .choices import AuditAction
from .models import AuditEntry
from .permissions import can_view_audit


class AuditListView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    template_name = "core/audit_list.html"

    def test_func(self):
        return can_view_audit(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = AuditEntry.objects.select_related("organization")
        action = self.request.GET.get("action")
        if action in AuditAction.values:
            qs = qs.filter(action=action)
        if self.request.GET.get("object_id"):
            qs = qs.filter(object_id=self.request.GET["object_id"])
        if self.request.GET.get("actor"):
            qs = qs.filter(actor_label__startswith=self.request.GET["actor"])
        ctx.update(page=Paginator(qs, 50).get_page(self.request.GET.get("page")),
                   actions=AuditAction.choices, selected=action or "")
        return ctx
