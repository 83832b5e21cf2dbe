"""Pages that write the talent records: an enterprise adds and edits its people (form, and an XLSX
import with its template, all rows or none), a person grants a talent consent (the employer records
one only with the written authorisation's reference), and the progress bar of a valuation run
computed by a background job. Every write goes through :mod:`.services`; every read is restricted."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from kechuang.accounts.access import CHANGE, VIEW, is_writer, own_enterprise_id
from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.models import Organization
from kechuang.core.views import run_progress_response
from kechuang.enterprises.models import Enterprise

from .exports import people_template_xlsx
from .error_codes import TalentErrorCode as E
from .forms import ConsentForm, ImportForm, PersonForm, facts_from_summary, summary_problems
from .loading import HEADERS, SHEET, ImportFileError, RowError, read_people
from .models import TalentPerson, ValuationRun
from .selectors import display_name
from .services import people_import, person_facts_update, person_register, talent_consent_grant

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": list(exc.messages)}


def _apply(form, exc: ValidationError) -> None:
    for field, msgs in _messages(exc).items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)


def _own_enterprise(user) -> Enterprise:
    """The enterprise whose people ``user`` writes (an admin or officer of it), else 403."""
    eid = own_enterprise_id(user)
    if eid is None or not is_writer(user):
        raise PermissionDenied(_("只有本企业的管理员或经办人员可以登记本企业人才。"))
    return get_object_or_404(Enterprise, pk=eid)


class PersonCreateView(LoginRequiredMixin, View):
    """An enterprise records a team member: name, ID number (stored hashed and masked), facts."""

    def get(self, request):
        _own_enterprise(request.user)
        return render(request, "talent/person_form.html", {"form": PersonForm(), "person": None})

    def post(self, request):
        enterprise = _own_enterprise(request.user)
        form = PersonForm(request.POST)
        if form.is_valid():
            try:
                person = person_register(enterprise=enterprise, full_name=form.cleaned_data["full_name"],
                                         id_number=form.cleaned_data["id_number"].strip().upper(),
                                         facts=facts_from_summary(form.summary()), actor=request.user)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("已登记人才 %(name)s。") % {"name": person.masked_name})
                return redirect("talent:team")
        return render(request, "talent/person_form.html", {"form": form, "person": None}, status=400)


class PersonEditView(LoginRequiredMixin, View):
    """The employer edits a team member's facts (name and ID number stay as registered)."""

    def _person(self, request, pk) -> TalentPerson:
        eid = own_enterprise_id(request.user)
        qs = TalentPerson.objects.restrict(request.user, CHANGE)
        if not request.user.is_superuser:
            qs = qs.filter(enterprise_id=eid)
        return get_object_or_404(qs.select_related("enterprise"), pk=pk)

    def _render(self, request, person, form, status=200):
        return render(request, "talent/person_form.html", {
            "form": form, "person": person, "shown_name": display_name(person, request.user)}, status=status)

    def get(self, request, pk):
        person = self._person(request, pk)
        return self._render(request, person, PersonForm(editing=True, initial=PersonForm.initial_of(person.facts)))

    def post(self, request, pk):
        person = self._person(request, pk)
        form = PersonForm(request.POST, editing=True)
        if form.is_valid():
            try:
                person_facts_update(person=person, facts=facts_from_summary(form.summary(), person.facts),
                                    actor=request.user)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("已更新 %(name)s 的人才事实。") % {"name": person.masked_name})
                return redirect("talent:team")
        return self._render(request, person, form, status=400)


class PeopleImportView(LoginRequiredMixin, View):
    """An enterprise imports its people from the XLSX template: all rows or none; every error names
    the sheet, row, field and reason."""

    def _render(self, request, form, errors=(), status=200):
        return render(request, "talent/people_import.html", {"form": form, "errors": errors,
                                                             "headers": list(HEADERS.values())}, status=status)

    def get(self, request):
        _own_enterprise(request.user)
        return self._render(request, ImportForm())

    def post(self, request):
        enterprise = _own_enterprise(request.user)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            return self._render(request, form, [_("文件超过 10 MB。")], status=400)
        try:
            rows = read_people(upload.read())
            problems = [RowError(SHEET, n, HEADERS[f], E.BAD_FACTS, reason)
                        for n, d in rows for f, reason in summary_problems(d).items()]
            if problems:
                raise ImportFileError(problems)
            people = [{"row": n, "full_name": d["full_name"], "id_number": d["id_number"].strip().upper(),
                       "facts": facts_from_summary(d)} for n, d in rows]
            created = people_import(enterprise=enterprise, people=people, actor=request.user, sheet=SHEET)
        except ImportFileError as exc:
            return self._render(request, form, [str(e) for e in exc.errors], status=400)
        except ValidationError as exc:
            return self._render(request, form, list(exc.messages), status=400)
        messages.success(request, _("已导入 %(n)s 名人才。") % {"n": len(created)})
        return redirect("talent:team")


class PeopleTemplateView(LoginRequiredMixin, View):
    """The blank XLSX template of the people import (Chinese headers, one synthetic example row)."""

    def get(self, request):
        _own_enterprise(request.user)
        resp = HttpResponse(people_template_xlsx(), content_type=XLSX)
        resp["Content-Disposition"] = 'attachment; filename="talent-people-template.xlsx"'
        return resp


def _grantees(person: TalentPerson):
    """Who may hold a talent consent of ``person``: financial and service institutions, and the
    person's own employer."""
    from django.db.models import Q
    return (Organization.objects.filter(is_active=True)
            .filter(~Q(kind__in=[OrganizationKind.ENTERPRISE, OrganizationKind.REGULATOR])
                    | Q(kind=OrganizationKind.ENTERPRISE, enterprise_id=person.enterprise_id))
            .order_by("kind", "name"))


class ConsentGrantView(LoginRequiredMixin, View):
    """The person grants a purpose-bound talent consent to one organisation (``/consents/new/``);
    the employer records one for a team member with the written authorisation's reference
    (``/people/<pk>/consents/new/``)."""

    def _person(self, request, pk):
        if pk is None:
            person = TalentPerson.objects.filter(user=request.user).select_related("enterprise").first()
            if person is None:
                raise PermissionDenied(_("您的账号没有关联人才档案。"))
            return person
        _own_enterprise(request.user)
        return get_object_or_404(TalentPerson.objects.restrict(request.user, CHANGE)
                                 .filter(enterprise_id=own_enterprise_id(request.user)).select_related("enterprise"),
                                 pk=pk)

    def _render(self, request, person, form, status=200):
        return render(request, "talent/consent_form.html", {
            "form": form, "person": person, "shown_name": display_name(person, request.user),
            "own": person.user_id == request.user.pk}, status=status)

    def get(self, request, pk=None):
        person = self._person(request, pk)
        form = ConsentForm(organizations=_grantees(person),
                           initial={"valid_until": timezone.localdate() + dt.timedelta(days=365)})
        return self._render(request, person, form)

    def post(self, request, pk=None):
        person = self._person(request, pk)
        grantees = _grantees(person)
        form = ConsentForm(request.POST, organizations=grantees)
        if form.is_valid():
            org = grantees.get(pk=form.cleaned_data["organization"])
            until = timezone.make_aware(dt.datetime.combine(form.cleaned_data["valid_until"], dt.time(23, 59, 59)))
            try:
                talent_consent_grant(person=person, organization=org, purpose=form.cleaned_data["purpose"],
                                     valid_until=until, evidence=form.cleaned_data["evidence"], actor=request.user)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("已授权 %(org)s：%(purpose)s。") % {
                    "org": org.name, "purpose": dict(form.fields["purpose"].choices)[form.cleaned_data["purpose"]]})
                return redirect("talent:mine" if pk is None else "talent:team")
        return self._render(request, person, form, status=400)


@login_required
def valuation_run_progress(request, pk: int):
    """One valuation run's progress bar (polled while it is queued or computing); once it has
    finished, an HTMX poll reloads the page so its results show."""
    run = get_object_or_404(ValuationRun.objects.restrict(request.user, VIEW).select_related("job"), pk=pk)
    return run_progress_response(request, run, label=_("人才价值评估"),
                                 poll_url=reverse("talent:valuationrun_progress", args=[run.pk]))
