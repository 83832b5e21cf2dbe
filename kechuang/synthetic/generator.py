"""Public entry points: :func:`generate`, :func:`write_jsonl`, :func:`generate_outcomes`,
:func:`write_outcomes_csv`.

Every record is synthetic (合成数据). Files written by this package should be named
``*-synthetic.jsonl`` so nobody mistakes them for real enterprise data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import orjson

from kechuang.engine.facts.uscc import make_uscc

from . import risk
from .certificates import draw_certificates
from .identifiers import org_serials
from .items import draw_credit, draw_ip, draw_side_lists
from .population import CHUNK, DISTRICT_CODES, Chunk, draw_chunk, rng_for
from .records import build_records
from .tables import CITY_CODE, DISTRICTS

DEFAULT_SEED = 20221
DEFAULT_AS_OF = date(2026, 11, 22)
_REGIONS = {CITY_CODE} | {d.code for d in DISTRICTS}


def _check(n: int, region: str, horizon_months: int = 12) -> None:
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    if region not in _REGIONS:
        raise ValueError(f"region must be {CITY_CODE} (济南市) or one of its district codes "
                         f"{sorted(_REGIONS - {CITY_CODE})}, got {region!r}")
    if not 1 <= horizon_months <= 120:
        raise ValueError(f"horizon_months must be between 1 and 120, got {horizon_months!r}")


def _full_chunk(k: int, seed: int, as_of: date, region: str) -> Chunk:
    c = draw_chunk(k, seed=seed, as_of=as_of, region=region)
    draw_ip(c)
    draw_side_lists(c)
    draw_credit(c)
    draw_certificates(c)
    return c


def _limits(n: int) -> Iterator[tuple[int, int]]:
    for k in range((n + CHUNK - 1) // CHUNK):
        yield k, min(CHUNK, n - k * CHUNK)


def generate(n: int, *, seed: int = DEFAULT_SEED, as_of: date = DEFAULT_AS_OF,
             region: str = CITY_CODE) -> Iterator[dict]:
    """Yield ``n`` synthetic enterprise records in the interchange format (enterprise-facts v1
    plus the agreed optional extensions). Record ``i`` depends on ``(seed, as_of, region, i)``
    only, so a shorter run is a prefix of a longer one."""
    _check(n, region)
    for k, limit in _limits(n):
        yield from build_records(_full_chunk(k, seed, as_of, region), limit)


def _jsonl_chunk(args: tuple[int, int, int, date, str]) -> bytes:
    k, limit, seed, as_of, region = args
    recs = build_records(_full_chunk(k, seed, as_of, region), limit)
    return b"".join(orjson.dumps(r) + b"\n" for r in recs)


def write_jsonl(path: str | os.PathLike, n: int, *, seed: int = DEFAULT_SEED,
                as_of: date = DEFAULT_AS_OF, region: str = CITY_CODE,
                workers: int | None = None) -> int:
    """Write ``n`` records to ``path`` (UTF-8 JSON Lines) and return ``n``. Chunks are built in
    ``workers`` processes (default: the CPU count, 1 below 20,000 records); the bytes are the same
    for any number of workers."""
    _check(n, region)
    if workers is None:
        workers = 1 if n < 20_000 else (os.cpu_count() or 1)
    tasks = [(k, limit, seed, as_of, region) for k, limit in _limits(n)]
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as out:
        if workers <= 1:
            for t in tasks:
                out.write(_jsonl_chunk(t))
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for blob in pool.map(_jsonl_chunk, tasks, chunksize=4):
                    out.write(blob)
    tmp.replace(path)
    return n


def generate_outcomes(n: int, *, seed: int = DEFAULT_SEED, as_of: date = DEFAULT_AS_OF,
                      horizon_months: int = 12, region: str = CITY_CODE) -> Iterator[dict]:
    """For each of the ``n`` enterprises of :func:`generate` (same arguments), the loan default
    outcome over ``horizon_months`` after ``as_of``: ``{uscc, as_of, latent_pd, defaulted}``.
    ``defaulted`` is a Bernoulli draw with ``latent_pd`` from a stream separate from the
    records', and is monotone in the horizon (a firm that defaults within 6 months also does
    within 12)."""
    _check(n, region, horizon_months)
    as_of_iso = as_of.isoformat()
    for k, limit in _limits(n):
        c = draw_chunk(k, seed=seed, as_of=as_of, region=region)
        pd = risk.pd_over(c.f["pd"], horizon_months)
        u = rng_for(seed, 1, k).random(CHUNK)
        defaulted = (u < pd).tolist()
        pd_list = np.round(pd, 6).tolist()
        serials = org_serials(c.index[:limit], c.f["registered_year"][:limit], seed)
        district = c.f["district"].tolist()
        for j in range(limit):
            yield {"uscc": make_uscc(DISTRICT_CODES[district[j]], serials[j]),
                   "as_of": as_of_iso, "latent_pd": pd_list[j], "defaulted": defaulted[j]}


def write_outcomes_csv(path: str | os.PathLike, n: int, **kwargs) -> int:
    """Write :func:`generate_outcomes` rows as CSV (``defaulted`` as 0/1); returns the count."""
    path = Path(path)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("uscc,as_of,latent_pd,defaulted\n")
        for row in generate_outcomes(n, **kwargs):
            out.write(f"{row['uscc']},{row['as_of']},{row['latent_pd']},{int(row['defaulted'])}\n")
            count += 1
    return count
