"""The API's authentication classes (a module of its own: DRF imports them while its views
module is still loading, so it must not import :mod:`kechuang.core.api`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class BasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic for scripts, refusing credentials PostgreSQL cannot even compare (a NUL byte)
    with a 403 rather than letting the user lookup fail with a server error."""

    def authenticate_credentials(self, userid, password, request=None):
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed(_("用户名或密码无效。"))
        return super().authenticate_credentials(userid, password, request)
