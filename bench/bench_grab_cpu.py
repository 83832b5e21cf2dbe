"""CPU per grab (抢单), winning and losing, through the API: the cost the contended p95 is made of.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kechuang_marketplace .venv/bin/python bench/bench_grab_cpu.py [--profile]

Creates a throw-away test database, SYNTHETIC data (two banks with one product each, --grabs open
demands, labelled synthetic), then from one thread: bank A grabs every demand (winning grabs),
bank B grabs the same demands afterwards (losing grabs, each answered ``already_held``). Prints the
process CPU time per grab (``time.process_time``: the Django side; PostgreSQL's work is in its own
processes) and the SQL queries per grab, winning and losing, and — with ``--profile`` — the top of
a cProfile of each kind. CPU time is what a grab costs whatever the machine's load; wall time on a
shared machine is not, so it is printed only beside it. The baseline in the same run is the
straightforward model-serializer response (``RequestSerializer`` + the generic view) that the
grab answered with before, measured on the same requests (``--compare-serializer``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grabs", type=int, default=300, help="demands grabbed (one win and one loss each)")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of each kind")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    logging.getLogger("django.request").setLevel(logging.ERROR)
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def run(args) -> None:
    from django.db import connection
    from django.test import Client

    from kechuang.accounts.choices import OrganizationKind
    from kechuang.enterprises.models import Enterprise
    from kechuang.enterprises.tests.factories import load, organization, record, user
    from kechuang.marketplace import services

    load([record(i, "370102") for i in range(1, 4)])
    ent = Enterprise.objects.order_by("pk").first()
    banks = []
    for i in range(2):
        org = organization(OrganizationKind.BANK, f"合成银行{i}（synthetic）")
        u = user(f"bank{i}", org)
        p = services.product_create(institution=org, kind="loan", category="credit", name=f"合成信用贷{i}",
                                    amount_min="10000", amount_max="100000000", term_min_months=1,
                                    term_max_months=60, rate="0.04", actor=u, is_synthetic=True)
        banks.append((u, p))
    poster = user("poster", organization(OrganizationKind.ENTERPRISE, "合成企业账号", enterprise=ent), role="admin")
    ids = [services.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                                actor=poster, prefill={}, is_synthetic=True).pk
           for _ in range(args.grabs + args.warmup)]
    warm, ids = ids[:args.warmup], ids[args.warmup:]
    clients = []
    for u, p in banks:
        cl = Client()
        cl.force_login(u)
        clients.append((cl, p))

    def grab(k, did):
        cl, p = clients[k]
        return cl.post(f"/api/marketplace/demands/{did}/grab/", {"product": p.pk}, content_type="application/json")

    for did in warm:  # imports, URL resolver, first-query caches
        assert grab(0, did).status_code == 201
        assert grab(1, did).status_code == 400
    print(f"SYNTHETIC data on {connection.vendor}; {len(ids)} demands; load {os.getloadavg()}")
    for kind, k, expect in (("winning", 0, 201), ("losing", 1, 400)):
        sqls = []

        def log(execute, sql, params, many, context, sqls=sqls):
            sqls.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(log):  # request_started resets connection.queries
            r = grab(k, ids[0])
        assert r.status_code == expect, r.content
        prof = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not wall
        c0, t0 = time.process_time(), time.perf_counter()
        if prof:
            prof.enable()
        for did in ids[1:]:
            r = grab(k, did)
            assert r.status_code == expect, r.content
        if prof:
            prof.disable()
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        n = len(ids) - 1
        print(f"{kind} grab: {cpu / n * 1000:.2f} ms CPU, {wall / n * 1000:.2f} ms wall per grab "
              f"({n} grabs{', under cProfile' if prof else ''}); {len(sqls)} SQL queries")
        if args.profile:
            for sql in sqls:
                print("   ", sql[:160])
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(args.top)
            print(s.getvalue())
    print(f"RESULT load {os.getloadavg()}")


if __name__ == "__main__":
    main()
