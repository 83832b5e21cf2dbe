"""Pages of the core app: the audit log."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from .choices import AuditAction
from .permissions import can_view_audit
from .selectors import audit_entries_visible, audit_seal_status


class AuditListView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """The audit log, scoped to what the user may read; GET only (nobody acts on the log)."""

    template_name = "core/audit_list.html"
    http_method_names = ["get", "head", "options"]

    def test_func(self):
        return can_view_audit(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = audit_entries_visible(self.request.user).select_related("organization", "actor")
        action = self.request.GET.get("action")
        if action in AuditAction.values:
            qs = qs.filter(action=action)
        if self.request.GET.get("object_id"):
            qs = qs.filter(object_id=self.request.GET["object_id"])
        if self.request.GET.get("actor"):
            qs = qs.filter(actor_label__startswith=self.request.GET["actor"])
        page = Paginator(qs, 50).get_page(self.request.GET.get("page"))
        sealed = audit_seal_status(page.object_list)
        for entry in page.object_list:
            entry.position = sealed.get(entry.seq)
        ctx.update(page=page, actions=AuditAction.choices, selected=action or "")
        return ctx
