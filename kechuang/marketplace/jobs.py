"""Background jobs of the marketplace (declared on ``MarketplaceConfig.job_handlers``)."""

from __future__ import annotations

from .services import requests_escalate


def escalate_stale(job, progress) -> dict:
    """Escalate every request past its step's due time to the enterprise's 金融辅导员."""
    n = requests_escalate(actor=job.created_by or "job:marketplace.escalate")
    return {"escalated": n}
