"""Number formatting."""

from __future__ import annotations

import pytest

from paramtui.engine.units import format_bytes, format_params, format_share


@pytest.mark.parametrize(
    ("count", "text"),
    [(671_026_404_352, "671.03B"), (1_026_408_209_408, "1.03T"), (926_679_040, "926.68M"), (999, "999")],
)
def test_format_params(count: int, text: str) -> None:
    assert format_params(count) == text


@pytest.mark.parametrize(("count", "text"), [(2**30, "1.00 GiB"), (70_272, "68.62 KiB"), (12, "12 B")])
def test_format_bytes(count: int, text: str) -> None:
    assert format_bytes(count) == text


def test_format_share() -> None:
    assert format_share(1, 4) == "25.0%"
    assert format_share(1, 0) == "-"
