"""Shared fixtures: the reference counts, and a machine without GPUs unless a test fakes one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))  # tests import benchmarks/calibrate.py


@pytest.fixture(scope="session")
def reference_counts() -> dict[str, Any]:
    """Counts from transformers' modeling code on the meta device (scripts/reference_counts.py)."""
    return json.loads((DATA / "reference_counts.json").read_text())


@pytest.fixture(autouse=True)
def no_real_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the machine's GPUs or time its RAM: NVML is absent unless a test installs
    the fake backend (tests/fake_nvml.py), and the RAM copy measurement is skipped."""
    import pynvml

    def library_not_found() -> None:
        raise pynvml.NVMLError_LibraryNotFound()

    monkeypatch.setattr(pynvml, "nvmlInit", library_not_found)
    monkeypatch.setattr("paramtui.engine.adapters.system.measure_ram_bandwidth", lambda *a, **k: None)


@pytest.fixture(autouse=True)
def private_user_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Saved models, the autosave, exports and config.toml go to a fresh folder per test, never
    to the user's own directories."""
    monkeypatch.setenv("PARAMTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARAMTUI_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


@pytest.fixture(autouse=True)
def no_real_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reaches the real Hub: HF_ENDPOINT points at a closed local port unless a test starts
    the fake Hub (tests/fake_hub.py); the Hub token, login and paramtui's cache are private to the test."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("PARAMTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("paramtui.engine.adapters.hub.BACKOFF_S", 0.01)


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A running fake Hub with HF_ENDPOINT pointed at it."""
    from fake_hub import FakeHub

    with FakeHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield hub
