"""Login with throttling; logout is Django's POST-only LogoutView (flushes the server session)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts import throttle


class ThrottledLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150]
        address = throttle.client_address(request)
        until = throttle.locked_until(username, address)
        if until is not None:
            return self._locked(request, until)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        throttle.reset_account(form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form):
        # The failure was counted (and a lock-out audited) by throttle.on_login_failed.
        request = self.request
        username = request.POST.get("username", "")[:150]
        address = throttle.client_address(request)
        until = throttle.locked_until(username, address)
        if until is not None:
            return self._locked(request, until)
        return super().form_invalid(form)

    def _locked(self, request, until: float):
        at = timezone.localtime(datetime.fromtimestamp(until, tz=UTC))
        message = _("登录失败次数过多，请于 %(time)s 之后再试。") % {"time": at.strftime("%H:%M")}
        response = render(request, "429.html", {"message": message}, status=429)
        response["Retry-After"] = str(max(1, int(until - timezone.now().timestamp())))
        return response
