"""统一社会信用代码 (unified social credit identifier) per GB 32100-2015.

18 characters: registration authority (1), organisation kind (1), administrative division (6),
organisation code (9), check digit (1). The alphabet is the digits and the capitals without
I, O, Z, S, V; the check digit is ``31 - (sum of value * 3**i mod 31) mod 31`` over the first 17.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

#: Reason codes returned by :func:`uscc_error`, with their Chinese and English messages.
MESSAGES = {
    "empty": ("统一社会信用代码为空", "the unified social credit code is empty"),
    "length": ("统一社会信用代码应为18位", "the unified social credit code must have 18 characters"),
    "charset": ("统一社会信用代码含有非法字符（不可使用 I、O、Z、S、V 及小写字母）",
                "the code has a character outside 0-9 and A-Z without I, O, Z, S, V"),
    "check_digit": ("统一社会信用代码校验位错误", "the check digit (18th character) is wrong"),
}


def check_digit(first17: str) -> str:
    """The check digit for the first 17 characters of a code."""
    if len(first17) != 17:
        raise ValueError("check_digit needs exactly 17 characters")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: object) -> str | None:
    """``None`` when ``code`` is a valid code, else a reason code from :data:`MESSAGES`."""
    if code is None or code == "":
        return "empty"
    if not isinstance(code, str) or len(code) != 18:
        return "length"
    if any(ch not in _VALUE for ch in code):
        return "charset"
    if check_digit(code[:17]) != code[17]:
        return "check_digit"
    return None


def is_valid_uscc(code: object) -> bool:
    return uscc_error(code) is None


def make_uscc(region_code: str, serial: str, *, authority: str = "9", kind: str = "1") -> str:
    """Build a valid code from a 6-digit region, a 9-character organisation serial and the
    authority/kind prefix (``91`` = market regulation, enterprise). Used by generators and tests."""
    body = f"{authority}{kind}{region_code}{serial}"
    if len(body) != 17:
        raise ValueError("authority + kind + region (6) + serial (9) must give 17 characters")
    return body + check_digit(body)
