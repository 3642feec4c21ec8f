"""Shared fixtures: the reference counts and the shipped presets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def reference_counts() -> dict[str, Any]:
    """Counts from transformers' modeling code on the meta device (scripts/reference_counts.py)."""
    return json.loads((DATA / "reference_counts.json").read_text())
