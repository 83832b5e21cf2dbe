"""Fuzz every operation of the committed OpenAPI schema (``docs/openapi.yaml``) with schemathesis,
as each kind of user, against the app with demo data: no response may be a server error, break
its declared schema or carry an undocumented status code.

Bounded and deterministic: a few derandomized examples per operation and login, no shrinking
(every failing case is collected and reported instead). Each case runs in a savepoint that is
rolled back, so every case sees the same data. The counts are printed at the end of the pytest
run (see ``conftest.py`` here)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from kechuang.core import api
from kechuang.enterprises.models import Enterprise
from kechuang.evaluation.models import EvaluationRun

from .data import LOGINS, fuzz_data_load

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
#: Examples per operation for each login (the platform admin sees every object: more for it).
EXAMPLES = {"platform admin": 12}
EXAMPLES_DEFAULT = 5
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
RESULTS: dict = {}
#: Codes of :func:`kechuang.core.api.exception_handler`'s last-resort mapping of database errors.
SAFETY_NET_CODES = {api.CONFLICT, api.BAD_VALUE}


def _safety_net_hit(response) -> bool:
    if response.status_code not in (400, 409):
        return False
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(e.get("code") in SAFETY_NET_CODES for e in errors if isinstance(e, dict))


def known_values(path: str) -> dict[str, list]:
    """Real values for the path's parameters, so that cases reach existing objects too."""
    values: dict[str, list] = {}
    if "{uscc}" in path:
        values["uscc"] = list(Enterprise.objects.order_by("pk").values_list("uscc", flat=True)[:3])
    if "{run_id}" in path:
        values["run_id"] = list(EvaluationRun.objects.order_by("pk").values_list("pk", flat=True)[:2])
    if "{id}" in path:
        probe = path.replace("{id}", "1").replace("{uscc}", "9" * 18).replace("{run_id}", "1")
        view = resolve(probe).func.cls
        model = getattr(getattr(view, "queryset", None), "model", None) or view.serializer_class.Meta.model
        values["id"] = list(model.objects.order_by("pk").values_list("pk", flat=True)[:3])
    return {k: v for k, v in values.items() if v}


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="postgresql only: the committed schema is PostgreSQL's (see tests/test_openapi.py)")
@pytest.mark.django_db
def test_no_server_error_and_every_response_as_documented(settings_fast_hashing, keep_test_connection):
    started = time.monotonic()
    fuzz_data_load()
    schema = schemathesis.openapi.from_path(SCHEMA)
    app = WSGIHandler()
    counts: Counter = Counter()
    failures: list[str] = []
    operations = [op.ok() for op in schema.get_all_operations()]
    for login in LOGINS:
        for operation in operations:
            _fuzz(operation, login, app, counts, failures)
    RESULTS.update(operations=len(operations), logins=len(LOGINS), seconds=time.monotonic() - started,
                   **counts)
    report = Path(django_settings.VAR_DIR) / "fuzz-failures.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(failures), encoding="utf-8")
    assert failures == [], "\n".join(failures[:40])


def _fuzz(operation, login, app, counts, failures) -> None:
    known = known_values(operation.path)
    headers = login.headers()

    @settings(max_examples=EXAMPLES.get(login.label, EXAMPLES_DEFAULT), derandomize=True, database=None,
              deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        for name, candidates in known.items():
            if data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(candidates))
        with transaction.atomic():
            response = case.call(app=app, base_url="http://testserver", headers=headers)
            transaction.set_rollback(True)
        counts["cases"] += 1
        if response.status_code >= 500:
            counts["server_errors"] += 1
        elif _safety_net_hit(response):
            # The central mapping kept it from being a 500, but validation should have caught it.
            counts["unvalidated"] += 1
            failures.append(f"[{login.label}] {operation.label} -> {response.status_code}: reached the "
                            f"database unvalidated: {response.text[:200]}\n    {case.as_curl_command(headers)[:400]}")
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for f in group.exceptions:
                counts["schema_violations" if response.status_code < 500 else "server_error_checks"] += 1
                failures.append(f"[{login.label}] {operation.label} -> {response.status_code}: "
                                f"{f.title}: {str(f.message)[:300]}\n    {case.as_curl_command(headers)[:400]}")
        except AssertionError as exc:
            counts["schema_violations"] += 1
            failures.append(f"[{login.label}] {operation.label} -> {response.status_code}: {exc}"[:600])

    run()
