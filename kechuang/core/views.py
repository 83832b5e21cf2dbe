"""Pages of the core app: the audit log."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.generic import TemplateView

from .choices import AuditAction
from .permissions import can_view_audit
from .selectors import audit_entries_visible, audit_seal_status, job_progress


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


_PENDING = ("queued", "running")


def run_progress_context(run, *, label: str, poll_url: str) -> dict:
    """What ``htmx/run_progress.html`` needs for a run computed by a background job (a model with
    ``status``, ``error`` and ``job``)."""
    return {"run": run, "progress": job_progress(run.job) if run.job_id else None, "poll_url": poll_url,
            "label": label}


def run_progress_response(request, run, *, label: str, poll_url: str) -> HttpResponse:
    """The progress bar of ``run`` for an HTMX poll. Once the run has finished, the poll answers
    ``HX-Refresh`` so the page that polls reloads and shows the run's results."""
    html = render_to_string("htmx/run_progress.html", run_progress_context(run, label=label, poll_url=poll_url),
                            request=request)
    response = HttpResponse(html)
    if request.headers.get("HX-Request") and run.status not in _PENDING:
        response["HX-Refresh"] = "true"
    return response
