import pytest
from django.apps import apps

from kechuang.core.extensions import app_demo_steps, app_job_handlers, app_nav_templates
from kechuang.core.services import job_enqueue


def test_job_kinds_come_from_the_app_configs():
    handlers = app_job_handlers()
    assert handlers["ingest.import"] == "kechuang.ingest.jobs.run_import_job"
    assert handlers["evaluation.run"] == "kechuang.evaluation.jobs.run_evaluation_job"


def test_a_job_kind_declared_twice_is_an_error(monkeypatch):
    config = apps.get_app_config("rating")
    monkeypatch.setattr(config, "job_handlers", {"ingest.import": "x.y"}, raising=False)
    with pytest.raises(ValueError, match="declared by two apps"):
        app_job_handlers()


@pytest.mark.django_db
def test_an_undeclared_job_kind_is_refused():
    with pytest.raises(ValueError, match="unknown job kind"):
        job_enqueue(kind="nobody.declares.this", params={}, actor="test")


def test_demo_steps_follow_installed_apps_order(monkeypatch):
    monkeypatch.setattr(apps.get_app_config("targets"), "demo_steps", ("b.step",), raising=False)
    monkeypatch.setattr(apps.get_app_config("rating"), "demo_steps", ("a.step",), raising=False)
    steps = app_demo_steps()
    assert steps.index("a.step") < steps.index("b.step")


def test_nav_templates_are_collected():
    assert "rating/_nav.html" in app_nav_templates()
