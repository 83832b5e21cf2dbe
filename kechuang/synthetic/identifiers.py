"""Identifiers of synthetic enterprises: 统一社会信用代码, names, IP numbers, contract numbers.

Every identifier is a bijection of the enterprise's global index (and of the item's ordinal
within the enterprise), scrambled by an affine map whose offset depends on the seed, so it is
unique by construction and never depends on how many records are generated.
"""

from __future__ import annotations

import numpy as np

from kechuang.engine.facts.uscc import ALPHABET, make_uscc

from .tables import TRADE_CHARS

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997 organisation code check digit
_MA_SPACE = 31**7
_NUM_SPACE = 10**8
# Primes larger than every prime factor of the spaces they scramble, so the maps are bijections.
_MULT = 1_000_003
_MULT_ALT = 998_244_353


def _offset(seed: int, salt: int, space: int) -> int:
    return int((seed * 0x9E3779B1 + salt * 0x85EBCA77) % space)


def org_serials(index: np.ndarray, registered_year: np.ndarray, seed: int) -> list[str]:
    """The 9-character organisation part of each code. Enterprises registered before 2016 kept
    their old organisation code (8 digits + GB 11714 check); later ones have an ``MA…`` serial.
    Distinct indices give distinct serials."""
    idx = index.astype(np.int64)
    num = (idx * (_MULT % _NUM_SPACE) + _offset(seed, 1, _NUM_SPACE)) % _NUM_SPACE
    total = np.zeros(len(idx), dtype=np.int64)
    for k, w in enumerate(_ORG_WEIGHTS):
        total += num // 10 ** (7 - k) % 10 * w
    chk = 11 - total % 11
    ma = (idx * _MULT + _offset(seed, 2, _MA_SPACE)) % _MA_SPACE
    out = []
    for old, v, c, m in zip((registered_year < 2016).tolist(), num.tolist(), chk.tolist(),
                            ma.tolist(), strict=True):
        if old:
            out.append(f"{v:08d}" + ("X" if c == 10 else "0" if c == 11 else str(c)))
        else:
            chars = []
            for _ in range(7):
                m, r = divmod(m, 31)
                chars.append(ALPHABET[r])
            out.append("MA" + "".join(reversed(chars)))
    return out


def uscc_for(index: int, region_code: str, registered_year: int, seed: int) -> str:
    """The 统一社会信用代码 of enterprise ``index`` (see :func:`org_serials`)."""
    serial = org_serials(np.array([index]), np.array([registered_year]), seed)[0]
    return make_uscc(region_code, serial)


_C = len(TRADE_CHARS)


def _trade_space(length: int) -> int:
    space = 1
    for k in range(length):
        space *= _C - k
    return space


_TRADE_SPACES = [(length, _trade_space(length)) for length in (2, 3, 4, 5)]


def trade_names(index: np.ndarray, seed: int) -> list[str]:
    """字号 of 2 characters for the first 25,440 enterprises, 3 for the next 4 million, …; the
    characters of one 字号 differ, and distinct indices give distinct 字号."""
    idx = index.astype(np.int64)
    out = np.empty(len(idx), dtype=object)
    rest = idx.copy()
    done = np.zeros(len(idx), dtype=bool)
    for length, space in _TRADE_SPACES:
        here = ~done & (rest < space)
        if here.any():
            j = (rest[here] * (_MULT % space) + _offset(seed, 10 + length, space)) % space
            picks = []
            for k in range(length):
                j, r = np.divmod(j, _C - k)
                # r-th character not yet used: step over earlier picks in ascending order.
                for p in np.sort(np.stack(picks), axis=0) if picks else []:
                    r = r + (r >= p)
                picks.append(r)
            chars = _TRADE_ARRAY[np.stack(picks, axis=1)]
            out[here] = ["".join(row) for row in chars.tolist()]
            done |= here
        rest = np.where(done, rest, rest - space)
    if not done.all():
        raise ValueError("index beyond the trade-name space")
    return out.tolist()


_TRADE_ARRAY = np.array(list(TRADE_CHARS))


def scrambled(index: np.ndarray, seed: int, salt: int, space: int) -> np.ndarray:
    """Vectorised affine bijection of ``index`` on ``[0, space)`` (``space`` a power of 10)."""
    idx = index.astype(np.int64) % space
    return (idx * (_MULT_ALT % space) % space + _offset(seed, salt, space)) % space


def patent_check_digits(year: np.ndarray, type_digit: np.ndarray, serial: np.ndarray,
                        wide: np.ndarray) -> np.ndarray:
    """Check value (0-10, 10 written X) of CN application numbers: the digits of year, type and
    serial weighted 2,3,…,9,2,3,… and summed mod 11. The serial has the real 7 digits, or 8
    where ``wide`` (enterprises beyond the first million)."""

    def total(width: int) -> np.ndarray:
        digits = [year // 1000 % 10, year // 100 % 10, year // 10 % 10, year % 10, type_digit]
        digits += [serial // 10**k % 10 for k in range(width - 1, -1, -1)]
        return sum(d * (2 + p % 8) for p, d in enumerate(digits))

    return np.where(wide, total(8), total(7)) % 11
