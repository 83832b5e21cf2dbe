from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kechuang.accounts"
    label = "accounts"
    verbose_name = _("机构与用户")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from kechuang.accounts.throttle import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="kechuang-login-throttle")
