"""The demo environment: synthetic enterprises (clearly labelled), organisations of every kind,
their users and a few consents, so every page has something real to show; then each app's own
demo steps (``AppConfig.demo_steps``, see :mod:`kechuang.core.extensions`).

The enterprises come from :mod:`kechuang.synthetic` and enter through the same import pipeline as
any government feed, under the source ``synthetic-demo`` (合成演示数据（非真实企业）).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.accounts.models import Organization
from kechuang.core.extensions import app_demo_steps
from kechuang.core.progress import NullProgress, Progress
from kechuang.enterprises.choices import ConsentPurpose, SourceKind
from kechuang.enterprises.demo import demo_enterprises
from kechuang.enterprises.models import Consent
from kechuang.ingest.models import ImportRun
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from kechuang.synthetic import write_jsonl

DEMO_PASSWORD = "kechuang-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    organization: str
    kind: str
    role: str
    region: str = "370100"


DEMO_LOGINS = (
    DemoLogin("regulator", "王监管", "济南市地方金融监督管理局（演示）", OrganizationKind.REGULATOR, Role.ADMIN),
    DemoLogin("officer", "李经办", "济南市地方金融监督管理局（演示）", OrganizationKind.REGULATOR, Role.OFFICER),
    DemoLogin("kejiju", "赵科技", "济南市科学技术局（演示）", OrganizationKind.REGULATOR, Role.VIEWER),
    DemoLogin("lixia", "历下区金融办", "历下区金融服务中心（演示）", OrganizationKind.REGULATOR, Role.VIEWER, "370102"),
    DemoLogin("bank", "齐客户经理", "示范银行济南分行（演示）", OrganizationKind.BANK, Role.OFFICER),
    DemoLogin("guarantor", "鲁担保", "示范融资担保有限公司（演示）", OrganizationKind.GUARANTOR, Role.OFFICER),
    DemoLogin("insurer", "保专员", "示范财产保险济南中心支公司（演示）", OrganizationKind.INSURER, Role.OFFICER),
    DemoLogin("investor", "投经理", "示范科创投资基金（演示）", OrganizationKind.INVESTOR, Role.OFFICER),
    DemoLogin("agency", "服顾问", "示范科技金融服务中心（演示）", OrganizationKind.SERVICE_AGENCY, Role.OFFICER),
    DemoLogin("enterprise", "企业财务", "", OrganizationKind.ENTERPRISE, Role.ADMIN),
)


def demo_load(*, n: int = 2000, seed: int = 20221, actor="command:demo",
              progress: Progress | None = None) -> dict:
    """Generate ``n`` synthetic enterprises, import them, and create the demo organisations,
    users and consents. Running it again changes nothing."""
    progress = progress or NullProgress()
    today = timezone.localdate()
    data_dir = Path(settings.VAR_DIR) / "demo"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"jinan-{n}-{seed}-{today.isoformat()}-synthetic.jsonl"
    if not path.exists():
        write_jsonl(path, n, seed=seed, as_of=today)
    source = default_source(SourceKind.SYNTHETIC)
    run = import_run_create(path=path, file_name=path.name, source=source, actor=actor, store_copy=False)
    run = import_run_execute(run=run, actor=actor, progress=progress)
    users = _demo_organisations()
    steps = {step: import_string(step)(progress=progress) for step in app_demo_steps()}
    return {"import_run": run.pk, "status": run.status, "rows_valid": run.rows_valid,
            "rows_quarantined": run.rows_quarantined, "users": users, "file": str(path),
            "steps": steps}


@transaction.atomic
def _demo_organisations() -> list[DemoLogin]:
    User = get_user_model()
    enterprises = demo_enterprises(80)[:60]  # spread over the districts, as the marketplace's
    if not enterprises:
        return []
    own = enterprises[0]
    orgs: dict[str, Organization] = {}
    for login in DEMO_LOGINS:
        name = login.organization or f"{own.name}（演示企业账号）"
        org = orgs.get(name)
        if org is None:
            org, _created = Organization.objects.get_or_create(
                name=name, defaults={"kind": login.kind, "region_id": login.region,
                                     "enterprise": own if login.kind == OrganizationKind.ENTERPRISE else None})
            orgs[name] = org
        if not User.objects.filter(username=login.username).exists():
            User.objects.create_user(login.username, password=DEMO_PASSWORD, organization=org,
                                     role=login.role, display_name=login.display_name)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", password=DEMO_PASSWORD, display_name="平台管理员")
    if not Consent.objects.exists():
        now = timezone.now()
        bank = orgs["示范银行济南分行（演示）"]
        investor = orgs["示范科创投资基金（演示）"]
        guarantor = orgs["示范融资担保有限公司（演示）"]
        consents = [Consent(enterprise=e, organization=bank, purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                            valid_from=now - timedelta(days=30), valid_until=now + timedelta(days=335),
                            note="演示授权") for e in enterprises[:40]]
        consents += [Consent(enterprise=e, organization=investor, purpose=ConsentPurpose.INVESTMENT,
                             valid_from=now - timedelta(days=10), valid_until=now + timedelta(days=170),
                             note="演示授权") for e in enterprises[20:50]]
        consents += [Consent(enterprise=e, organization=guarantor, purpose=ConsentPurpose.GUARANTEE,
                             valid_from=now - timedelta(days=400), valid_until=now - timedelta(days=35),
                             note="演示授权（已到期）") for e in enterprises[40:60]]
        Consent.objects.bulk_create(consents)
    return list(DEMO_LOGINS) + [DemoLogin("admin", "平台管理员", "—", "superuser", "admin")]


def demo_is_loaded() -> bool:
    return ImportRun.objects.filter(source__code="synthetic-demo", status="applied").exists()
