"""The administrative divisions survive a flush (an operator's reset, and every transactional test):
later tests and a reset platform still find 济南市."""

import pytest
from django.core.management import call_command
from django.db import connection

from kechuang.accounts.models import Region
from kechuang.core.triggers import audit_triggers_disable, audit_triggers_enable


@pytest.mark.django_db(transaction=True)
def test_regions_are_loaded_again_after_a_flush():
    audit_triggers_disable(connection)
    try:
        call_command("flush", interactive=False, verbosity=0)
    finally:
        audit_triggers_enable(connection)
    assert Region.objects.get(code="370100").name == "济南市"
    assert Region.objects.filter(parent_id="370100").count() >= 10
