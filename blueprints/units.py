"""Durations and quantities as they are written in a spec.

Durations use `pytimeparse2` for the human forms (`200ms`, `5m`, `24h`, `35d`, `1h30m`) and
`isodate` for ISO 8601 (`PT5M`, `P1D`). A bare number is refused (except 0): `retention: 14` could
mean seconds or days, and a spec should never make a reader guess. Only the compact forms are
accepted (numbers each followed by ms, s, m, h, d or w, no spaces), the same grammar the JSON Schema
publishes: pytimeparse2 alone would also take `5 minutes`, `1:30`, `1y` (365 days) and `5M`
(minutes, where ISO 8601 means months), which an editor would flag and a reader could misread.

Quantities follow the Kubernetes quantity grammar (`2Gi`, `512Mi`, `500m`, `1.5`), which is small
enough to parse exactly here with `Decimal`; pulling in the Kubernetes client for one function
would cost more import time than this whole module.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

import isodate
import pytimeparse2

DURATION_EXAMPLES = ("200ms", "30s", "5m", "24h", "35d", "1h30m", "PT5M")
DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h|d|w))+$"
"""The human duration grammar: `200ms`, `1.5s`, `5m`, `1h30m`, `35d`, `2w` (lowercase units, no spaces)."""


class UnitError(ValueError):
    """A value that is not a duration or quantity; the message says what is allowed."""


def parse_duration(value: object) -> timedelta:
    """Parse `200ms`, `5m`, `24h`, `35d`, `1h30m`, ISO 8601 `PT5M`, or 0, into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise UnitError(f"expected a duration such as 30s or 5m, got {value!r}")
    if isinstance(value, int | float):
        if value == 0:
            return timedelta(0)
        raise UnitError(f"a bare number is ambiguous: write {value}s, {value}m or {value}d")
    if not isinstance(value, str) or not value.strip():
        raise UnitError(f"expected a duration such as 30s or 5m, got {value!r}")
    text = value.strip()
    if text.upper().startswith("P"):
        try:
            parsed = isodate.parse_duration(text)
        except (isodate.ISO8601Error, ValueError) as exc:
            raise UnitError(f"{text!r} is not a valid ISO 8601 duration") from exc
        if not isinstance(parsed, timedelta):  # years or months have no fixed length
            raise UnitError(f"{text!r} uses years or months, which have no fixed length; use days")
        return parsed
    if re.fullmatch(r"[0-9.]+", text):
        if float(text) == 0:
            return timedelta(0)
        raise UnitError(f"a bare number is ambiguous: write {text}s, {text}m or {text}d")
    if not re.fullmatch(DURATION_PATTERN, text):
        raise UnitError(
            f"{text!r} is not a duration; write a number and a unit with no space ({', '.join(DURATION_EXAMPLES)})"
        )
    seconds = pytimeparse2.parse(text)
    if seconds is None or isinstance(seconds, timedelta):
        raise UnitError(f"{text!r} is not a duration; use forms like {', '.join(DURATION_EXAMPLES)}")
    if seconds < 0:
        raise UnitError(f"{text!r} is negative; durations must be zero or more")
    return timedelta(seconds=float(seconds))


def format_duration(value: timedelta | float) -> str:
    """Shortest exact human form: 0s, 200ms, 90s, 5m, 1h30m, 35d."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds == 0:
        return "0s"
    if seconds < 1 or seconds != int(seconds):
        ms = round(seconds * 1000)
        if ms % 1000:
            return f"{ms}ms"
        seconds = ms // 1000
    total = int(seconds)
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
}
_QUANTITY = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$")


def parse_quantity(value: object) -> Decimal:
    """Parse a Kubernetes quantity (`2Gi`, `512Mi`, `500m`, `1.5`) into a Decimal base value."""
    if isinstance(value, bool):
        raise UnitError(f"expected a quantity such as 512Mi or 2Gi, got {value!r}")
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise UnitError(f"expected a quantity such as 512Mi or 2Gi, got {value!r}")
    match = _QUANTITY.match(value.strip())
    if not match:
        raise UnitError(f"{value!r} is not a quantity; use forms like 512Mi, 2Gi, 500m or 1.5")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise UnitError(f"{value!r} is not a quantity") from exc
    suffix = match.group(2)
    return number * (_BINARY[suffix] if suffix in _BINARY else _DECIMAL[suffix])


def parse_memory_mib(value: object) -> int:
    """Memory as whole MiB. Bare numbers are refused: `2048` could be bytes, MiB or MB."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise UnitError(f"a bare number is ambiguous for memory: write {value}Mi or {value}Gi")
    amount = parse_quantity(value)
    mib = amount / Decimal(2**20)
    if amount <= 0:
        raise UnitError(f"{value!r} must be more than zero")
    if mib != mib.to_integral_value():
        raise UnitError(f"{value!r} is not a whole number of MiB; use Mi or Gi units")
    return int(mib)


def parse_cpu(value: object) -> float:
    """CPU in cores (vCPU): `1`, `0.5`, `500m`."""
    amount = parse_quantity(value)
    if amount <= 0:
        raise UnitError(f"{value!r} must be more than zero")
    return float(amount)


def format_memory(mib: int) -> str:
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def format_percent(value: float) -> str:
    """An availability percentage to 4 decimals, rounded down: an estimate of 99.99997 % reads
    99.9999 %, never 100.0000 %, and no estimate reads better than it is."""
    import math

    return f"{math.floor(value * 10_000 + 1e-6) / 10_000:.4f}%"
