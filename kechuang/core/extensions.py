"""Extension points an app declares on its ``AppConfig`` instead of editing shared modules.

- ``job_handlers``: ``{"app.kind": "dotted.path.to.handler"}``; a handler is
  ``fn(job, progress) -> dict`` and runs in the background worker.
- ``demo_steps``: dotted paths of ``fn(*, progress) -> dict`` run, in ``INSTALLED_APPS`` order,
  after the demo enterprises and organisations are loaded (``kechuang demo``, ``kechuang serve``).
  Each step must be idempotent: running the demo again changes nothing.
- ``nav_template``: a template included in the top navigation bar (the app decides inside it
  whom to show its links to).
"""

from __future__ import annotations

from django.apps import apps


def app_job_handlers() -> dict[str, str]:
    handlers: dict[str, str] = {}
    for config in apps.get_app_configs():
        for kind, path in getattr(config, "job_handlers", {}).items():
            if kind in handlers:
                raise ValueError(f"job kind {kind!r} declared by two apps")
            handlers[kind] = path
    return handlers


def app_demo_steps() -> list[str]:
    return [step for config in apps.get_app_configs() for step in getattr(config, "demo_steps", ())]


def app_nav_templates() -> list[str]:
    return [config.nav_template for config in apps.get_app_configs() if getattr(config, "nav_template", None)]
