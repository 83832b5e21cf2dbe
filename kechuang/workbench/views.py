"""The workbench page: ``/`` sends each logged-in user to the workbench of its role (anonymous
users to the login page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import selectors as s

ROLE_LABELS = {"regulator": _("监管部门"), "district": _("区县监管部门"), "bank": _("银行"), "guarantor": _("担保机构"),
               "insurer": _("保险机构"), "investor": _("投资机构"), "advisor": _("金融辅导员"), "enterprise": _("企业"),
               "none": _("未关联机构")}


@login_required
def home(request):
    role = s.role_of(request.user)
    ctx = {"role": role, "role_label": ROLE_LABELS[role], "wb": s.workbench(request.user, role)}
    return render(request, f"workbench/{s.TEMPLATES[role]}.html", ctx)
