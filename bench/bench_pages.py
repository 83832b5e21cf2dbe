"""Benchmark: latency of the enterprise list, the profile page and the API under 50 concurrent
clients, against a database holding the region's enterprises (1,000,000 for the target).

    .venv/bin/python bench/bench_import.py --n 1000000          # leaves kechuang_bench_import
    .venv/bin/python bench/bench_pages.py --database kechuang_bench_import --users 50 --seconds 60

It vacuums and analyses the enterprise and fact tables first (this machine's PostgreSQL runs with
autovacuum off; a production server's would have done so after the load), then starts gunicorn
(production settings, PostgreSQL, Redis when REDIS_URL is set) on 127.0.0.1,
creates a regulator and a bank (with consent from 1,000 enterprises) and their sessions if
missing, then runs locust headless with 50 users on the same machine, each waiting 1-3 s between
requests (``--think``) like a person reading: regulators browse the list with filters and open
profiles, a bank opens the profiles it may see (each read audited), API clients list and read
facts. The login page, which touches no enterprise data, is measured in the same run as the
baseline. Target: profile p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PORT = 8765
PASSWORD = "bench-password-1"

SETUP = """
import os, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
import django; django.setup()
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from kechuang.accounts.models import Organization
from kechuang.enterprises.models import Consent, Enterprise
User = get_user_model()
reg, _ = Organization.objects.get_or_create(name="基准测试监管局", defaults={"kind": "regulator", "region_id": "370100"})
bank, _ = Organization.objects.get_or_create(name="基准测试银行", defaults={"kind": "bank", "region_id": "370100"})
for username, org in (("bench-regulator", reg), ("bench-bank", bank)):
    if not User.objects.filter(username=username).exists():
        User.objects.create_user(username, password=PASSWORD, organization=org, role="officer")
ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:200000:200])
if not Consent.objects.filter(organization=bank).exists():
    now = timezone.now()
    Consent.objects.bulk_create([Consent(enterprise_id=i, organization=bank, purpose="credit_assessment",
                                         valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30))
                                 for i in ids])
sample = list(Enterprise.objects.order_by("pk").values_list("pk", "uscc")[:200000:97])
# This machine's PostgreSQL runs with autovacuum off; a production server's autovacuum would have
# vacuumed the freshly loaded tables (visibility map for index-only scans) by now. Do it here.
from django.db import connection
from kechuang.enterprises.models import FACT_MODELS
with connection.cursor() as cur:
    cur.execute("SHOW autovacuum")
    autovacuum = cur.fetchone()[0]
    for model in (Enterprise, Consent, *FACT_MODELS.values()):
        cur.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
# Signed-cookie sessions made here, so the measured window holds no password hashing.
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.signed_cookies import SessionStore
cookies = {}
for username in ("bench-regulator", "bench-bank"):
    u = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(u.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = u.get_session_auth_hash()
    store.save()
    cookies[username] = store.session_key
print(json.dumps({"consented": ids, "sample": sample, "total": Enterprise.objects.count(), "cookies": cookies,
                  "autovacuum": autovacuum}))
""".replace("PASSWORD", repr(PASSWORD))

LOCUSTFILE = '''
import json, random
from locust import task, between
from locust.contrib.fasthttp import FastHttpUser

DATA = json.load(open(DATA_PATH))
PASSWORD = PASSWORD_VALUE
DISTRICTS = ["370102", "370103", "370104", "370105", "370112", "370113", "370114", "370116"]


def login(username):
    return {"Cookie": "sessionid=" + DATA["cookies"][username]}


class Regulator(FastHttpUser):
    weight = 3
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        self.h = login("bench-regulator")

    @task(2)
    def list_filtered(self):
        self.client.get("/enterprises/", params={"region_code": random.choice(DISTRICTS),
                        "certificate": random.choice(["", "hnte", "tsme"])}, headers=self.h,
                        name="page: enterprise list")

    @task(3)
    def profile(self):
        pk, _uscc = random.choice(DATA["sample"])
        self.client.get(f"/enterprises/{pk}/", headers=self.h, name="page: enterprise profile")

    @task(1)
    def api_list(self):
        self.client.get("/api/enterprises/", params={"region_code": random.choice(DISTRICTS)},
                        headers=self.h, name="api: enterprise list")

    @task(2)
    def api_facts(self):
        _pk, uscc = random.choice(DATA["sample"])
        self.client.get(f"/api/enterprises/{uscc}/facts/", headers=self.h, name="api: enterprise facts")

    @task(1)
    def baseline(self):
        self.client.get("/accounts/login/", headers=self.h, name="baseline: login page")


class Bank(FastHttpUser):
    weight = 1
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        self.h = login("bench-bank")

    @task
    def profile(self):
        pk = random.choice(DATA["consented"])
        self.client.get(f"/enterprises/{pk}/", headers=self.h, name="page: enterprise profile (bank, audited read)")
'''


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far: by the gunicorn and PostgreSQL processes (with their exited
    children, e.g. backends of closed connections), by this script's exited children (locust),
    and by the whole machine (``/proc/stat``; the rest is other work sharing the cores)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"gunicorn": 0.0, "postgres": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kind = next((k for k in out if k in cmd), None)
        if kind:
            out[kind] += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    times = os.times()
    out["locust"] = times.children_user + times.children_system
    busy = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    out["machine"] = (sum(int(x) for x in busy) - int(busy[3]) - int(busy[4])) / tick  # minus idle, iowait
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="kechuang_bench_import")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=15, help="seconds of load before the measured window (not counted)")
    parser.add_argument("--think", default="1,3", help="seconds a client waits between requests: min,max")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
           "KECHUANG_DEBUG": "0", "KECHUANG_SECRET_KEY": "bench-only-secret", "KECHUANG_LOG_LEVEL": "ERROR",
           "KECHUANG_ALLOWED_HOSTS": "127.0.0.1,localhost", "KECHUANG_VAR_DIR": str(OUT / "var")}
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    setup = subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    data_path = OUT / "pages-data.json"
    data_path.write_text(setup.stdout.strip().splitlines()[-1])
    data = __import__("json").loads(data_path.read_text())
    total = data["total"]
    print(f"server autovacuum: {data['autovacuum']}; tables vacuumed and analysed before measuring", flush=True)
    subprocess.run([sys.executable, "-m", "kechuang.cli", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "kechuang.wsgi",
                               "--bind", f"127.0.0.1:{PORT}", "--workers", str(args.workers),
                               "--threads", "2", "--worker-class", "gthread", "--log-level", "warning"],
                              env=env, cwd=ROOT)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        locustfile = OUT / "locustfile.py"
        think_min, think_max = (float(x) for x in args.think.split(","))
        locustfile.write_text(LOCUSTFILE.replace("DATA_PATH", repr(str(data_path)))
                              .replace("PASSWORD_VALUE", repr(PASSWORD))
                              .replace("THINK_MIN", repr(think_min)).replace("THINK_MAX", repr(think_max)))
        prefix = OUT / "pages"
        # A warm-up run first (not counted): each gunicorn worker compiles its templates and
        # opens its connections on its first requests; the measured window is the steady state.
        for seconds, csv_prefix in ((args.warmup, OUT / "pages-warmup"), (args.seconds, prefix)):
            if seconds <= 0:
                continue
            cpu_before = cpu_seconds()
            subprocess.run([str(Path(sys.executable).with_name("locust")), "-f", str(locustfile), "--headless",
                            "-u", str(args.users), "-r", str(args.users), "-t", f"{seconds}s",
                            "--host", f"http://127.0.0.1:{PORT}", "--csv", str(csv_prefix), "--only-summary"],
                           cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=open(OUT / "locust.log", "a"))
            cpu_after = cpu_seconds()
        cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
        cpu["other"] = cpu["machine"] - cpu["gunicorn"] - cpu["postgres"] - cpu["locust"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    rows = list(csv.DictReader((OUT / "pages_stats.csv").open()))
    print(f"{total:,} enterprises in {args.database}; {args.users} concurrent clients for {args.seconds} s, "
          f"each waiting {args.think} s between requests, after a {args.warmup} s warm-up not counted; gunicorn {args.workers} workers x 2 threads; "
          f"cache {'Redis' if env.get('REDIS_URL') else 'local files'}; {os.cpu_count()} cores shared with PostgreSQL and locust")
    served = sum(int(r["Request Count"]) for r in rows if r["Name"] == "Aggregated")
    print(f"CPU seconds in the measured window ({os.cpu_count()} cores x {args.seconds} s = "
          f"{os.cpu_count() * args.seconds} s available): "
          + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
          + (f"; per request: gunicorn {cpu['gunicorn'] / served * 1000:.1f} ms, PostgreSQL "
             f"{cpu['postgres'] / served * 1000:.1f} ms, locust {cpu['locust'] / served * 1000:.1f} ms" if served else ""))
    print(f"{'endpoint':<48}{'requests':>9}{'fails':>7}{'median ms':>11}{'p95 ms':>9}{'p99 ms':>9}")
    baseline = None
    for row in rows:
        if row["Name"] == "Aggregated":
            continue
        print(f"{row['Name']:<48}{row['Request Count']:>9}{row['Failure Count']:>7}{row['50%']:>11}"
              f"{row['95%']:>9}{row['99%']:>9}")
        if row["Name"] == "baseline: login page":
            baseline = float(row["95%"])
    for row in rows:
        if row["Name"].startswith("page: enterprise profile") and baseline:
            print(f"{row['Name']}: p95 {row['95%']} ms = {float(row['95%']) / baseline:.1f}x the login page's p95 "
                  f"(target p95 < 200 ms: {'met' if float(row['95%']) < 200 else 'NOT met'})")


if __name__ == "__main__":
    main()
