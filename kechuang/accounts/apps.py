from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kechuang.accounts"
    label = "accounts"
    verbose_name = _("机构与用户")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from kechuang.accounts.throttle import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="kechuang-login-throttle")
        post_migrate.connect(_regions_after_flush, sender=self, dispatch_uid="kechuang-regions-after-flush")


def _regions_after_flush(sender, using="default", **kwargs):
    """The administrative divisions are reference data that a data migration loads once; ``flush``
    (an operator resetting a database, and Django after every transactional test) empties them and
    then sends ``post_migrate``, so they are loaded again here when missing."""
    from django.db import connections

    from kechuang.accounts.models import Region
    from kechuang.accounts.regions import regions_load

    if Region._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated only part of the way: the data migration will load them
    if not Region.objects.using(using).exists():
        regions_load(Region)
