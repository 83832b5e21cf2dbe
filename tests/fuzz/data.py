"""The data the fuzz run works on: the demo region (enterprises, organisations of every kind,
products, demands, requests, evaluation and rating runs, plans) plus the logins it acts as."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from kechuang.accounts.choices import Role
from kechuang.demo.services import DEMO_PASSWORD, demo_load

#: Small but with every kind of object: the demo's marketplace step needs a few dozen enterprises.
DEMO_ENTERPRISES = 120


@dataclass(frozen=True)
class Login:
    label: str
    username: str | None  # None: anonymous

    def headers(self) -> dict[str, str]:
        if self.username is None:
            return {}
        token = base64.b64encode(f"{self.username}:{DEMO_PASSWORD}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


LOGINS = (
    Login("platform admin", "admin"),
    Login("city regulator", "regulator"),
    Login("district viewer", "lixia"),
    Login("bank", "bank"),
    Login("enterprise", "enterprise"),
    Login("no organisation", "no-org"),
    Login("anonymous", None),
)


def fuzz_data_load() -> None:
    demo_load(n=DEMO_ENTERPRISES)
    get_user_model().objects.create_user("no-org", password=DEMO_PASSWORD, organization=None,
                                         role=Role.OFFICER, display_name="无机构用户")
