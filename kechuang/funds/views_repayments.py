"""Pages of the banks' repayment records: a loan's records with the entry form (its bank), the
XLSX import with its template, errors shown as row, field and reason."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import VIEW, is_writer, organization_of
from kechuang.accounts.choices import OrganizationKind
from kechuang.core.restricted import restricted_for
from kechuang.marketplace import choices as mc
from kechuang.marketplace.models import FinancingRequest

from .exports import repayment_template_xlsx
from .loading import FIELD_LABELS, ImportFileError, read_repayments
from .models import Repayment
from .services_repayments import contract_interest, repayment_record, repayments_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_FIELDS = ("paid_on", "principal_repaid", "interest_paid", "explanation", "note")


def _is_lender(user, loan: FinancingRequest) -> bool:
    org = organization_of(user)
    return bool(user.is_superuser or (org is not None and is_writer(user) and org.pk == loan.institution_id))


def _is_bank_writer(user) -> bool:
    org = organization_of(user)
    return bool(user.is_superuser or (org is not None and is_writer(user) and org.kind == OrganizationKind.BANK))


@login_required
def loan_repayments(request, pk: int):
    """A disbursed loan's repayment records (its bank, enterprise and region's regulators see
    them); its bank records one more with the form."""
    loan = get_object_or_404(restricted_for(request, FinancingRequest, VIEW).select_related(
        "demand__enterprise", "institution", "product"), pk=pk)
    may_record = _is_lender(request.user, loan) and loan.state == mc.RequestState.DISBURSED
    form = {k: "" for k in FORM_FIELDS}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        form = {k: request.POST.get(k, "").strip() for k in FORM_FIELDS}
        try:
            rep = repayment_record(actor=request.user, loan_id=loan.pk, **form)
            messages.success(request, _("已登记还本付息记录 #%(n)s。") % {"n": rep.pk}
                             + (_("利息明显高于合同约定，已标记供审核。") if rep.flagged else ""))
            return redirect("funds:loan_repayments", pk=loan.pk)
        except ValidationError as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    records = Repayment.objects.restrict(request.user, VIEW).filter(loan=loan).select_related("recorded_by")
    totals = records.aggregate(p=Sum("principal_repaid"), i=Sum("interest_paid"))
    today = timezone.localdate()
    disbursed = timezone.localdate(loan.disbursed_at) if loan.disbursed_at else None
    year = today.year
    in_year = records.filter(paid_on__year=year, interest_paid__gt=0).aggregate(s=Sum("interest_paid"))["s"]
    return render(request, "funds/loan_repayments.html", {
        "loan": loan, "records": records, "may_record": may_record, "form": form, "errors": errors,
        "labels": FIELD_LABELS, "total_principal": totals["p"] or Decimal(0), "total_interest": totals["i"] or Decimal(0),
        "disbursed": disbursed, "year": year, "interest_year": in_year,
        "contract_to_date": contract_interest(loan, today) if disbursed and disbursed <= today else None,
        "today": today, "max_date": today.isoformat(), "min_date": disbursed.isoformat() if disbursed else ""})


@login_required
def repayment_import(request):
    """A bank imports a workbook of repayment records: all rows or none."""
    if not _is_bank_writer(request.user):
        raise PermissionDenied
    errors, written = [], None
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            errors = [{"row": 0, "field": _("文件"), "code": "bad_file", "message": _("请选择要导入的 XLSX 文件。")}]
        elif f.size > 10 * 1024 * 1024:
            errors = [{"row": 0, "field": _("文件"), "code": "bad_file", "message": _("文件超过 10 MB。")}]
        else:
            try:
                rows = read_repayments(f.read())
                written = repayments_import(actor=request.user, rows=rows, file_name=f.name)
                messages.success(request, _("已导入 %(n)s 条还本付息记录。") % {"n": len(written)})
                return redirect("funds:repayment_import")
            except ImportFileError as exc:
                errors = [e.as_dict() for e in exc.errors]
    recent = (Repayment.objects.restrict(request.user, VIEW).select_related("loan__demand__enterprise")
              .order_by("-recorded_at", "-id")[:50])
    return render(request, "funds/repayment_import.html", {"errors": errors, "recent": recent,
                                                          "columns": list(FIELD_LABELS.values())},
                  status=400 if errors else 200)


@login_required
def repayment_template(request):
    resp = HttpResponse(repayment_template_xlsx(), content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="repayments-template.xlsx"'
    return resp
