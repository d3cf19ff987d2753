from datetime import timedelta

import pytest

from blueprints.units import UnitError, format_duration, parse_cpu, parse_duration, parse_memory_mib


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("200ms", 0.2),
        ("5m", 300),
        ("24h", 86400),
        ("35d", 35 * 86400),
        ("0s", 0),
        (0, 0),
        ("1h30m", 5400),
        ("PT5M", 300),
        ("P1D", 86400),
        ("1.5s", 1.5),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["5 minutes please", "-5m", 14, "14", "P1M", "", None, True, "abc"])
def test_parse_duration_refuses(bad: object) -> None:
    with pytest.raises(UnitError):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (0.2, "200ms"), (90, "1m30s"), (300, "5m"), (86400, "1d"), (5400, "1h30m"), (1.5, "1500ms")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_memory_and_cpu() -> None:
    assert parse_memory_mib("2Gi") == 2048
    assert parse_memory_mib("512Mi") == 512
    assert parse_cpu("500m") == 0.5
    assert parse_cpu(1) == 1.0
    for bad in (2048, "2.5Ki", "0Mi", "lots"):
        with pytest.raises(UnitError):
            parse_memory_mib(bad)
