"""SVG snapshots of the fits screen (f4) on the recorded H100 (tests/data/nvml/h100_sxm.json) at 80x24
and 160x48, with a fixed 256 GiB host so the offload rows do not depend on this machine's RAM."""

from __future__ import annotations

import pytest
from test_dashboard_fits import _open_fits
from test_snapshots import _screen_text

from paramtui.engine.adapters import system
from paramtui.presets import all_presets
from paramtui.tui.app import ParamApp
from paramtui.tui.config import Config
from tests.fake_nvml import FakeNvml, install, load_reading

GIB = 2**30


@pytest.fixture
def h100(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(256 * GIB, 200 * GIB))
    monkeypatch.setattr(system, "read_cpu", lambda: system.CpuReading("AMD EPYC 9554 64-Core Processor", 64, 128))
    install(monkeypatch, FakeNvml(load_reading("h100_sxm")))


def _app() -> ParamApp:
    return ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)


async def _open(app: ParamApp, pilot: object, keys: tuple[str, ...] = ()) -> str:
    await _open_fits(app, pilot)
    await pilot.press(*keys)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    app.clear_notifications()  # toasts are transient ("sorted by ctx")
    app.screen.set_focus(None)  # no blinking cursor in the filter: the picture is the same every run
    await pilot.pause()  # type: ignore[attr-defined]
    return _screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_the_list(size: tuple[int, int], snap_compare: object, h100: None) -> None:
    """Every preset on one H100: '58 of 58 models, 46 fit' and the live GPU on the title line, the
    filter line, then GPT-2, Llama 3.2 1B, LFM2 ... fastest decode first, each '✓ fits' with its
    precision and tok/s in view at 80x24 (at 160x48 also context, prefill, params, GiB, plan and the
    near-miss column, with the offloaded models '~ RAM' further down); under the table the
    highlighted model's figures and its vllm serve line; the footer's esc Back, ^s Sort, ^r Reverse."""
    app = _app()
    seen: list[str] = []

    async def before(pilot: object) -> None:
        seen.append(await _open(app, pilot))

    assert snap_compare(app, terminal_size=size, run_before=before)  # type: ignore[operator]
    text = seen[0]
    n = len(all_presets())
    for part in (f"{n} of {n} models", "GPT-2 (124M)", "✓ fits", "tok/s", "prec", "vllm serve", "^s Sort"):
        assert part in text, part


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_filtered_and_sorted_by_context(size: tuple[int, int], snap_compare: object, h100: None) -> None:
    """'qwen' typed in the filter and ctrl+s three times: only the Qwen models (17 of 58), sorted by
    'ctx ▼': the 256k ones first (Qwen3-VL 8B Instruct, Qwen3.5 27B, then Qwen3-Next 80B-A3B, '~ RAM'
    with tp1+RAM at 160x48), Qwen3-VL 30B-A3B at 142k, then the 128k ones (Qwen2.5 7B and 14B);
    Qwen3 235B ('✗ near', 'needs 7 more GPUs' at 160x48), Qwen3.5 397B-A17B and Qwen3-Coder ('✗ no',
    'short by ... GiB') last, with '-' for the figures a model that does not fit has none of;
    the detail lines name the highlighted Qwen3-VL 8B Instruct and its vllm serve line."""
    app = _app()
    seen: list[str] = []

    async def before(pilot: object) -> None:
        seen.append(await _open(app, pilot, ("q", "w", "e", "n", "ctrl+s", "ctrl+s", "ctrl+s")))

    assert snap_compare(app, terminal_size=size, run_before=before)  # type: ignore[operator]
    text = seen[0]
    for part in (
        f"{sum('qwen' in p.display_name.lower() for p in all_presets().values())} of {len(all_presets())} models",
        "ctx ▼",
        "Qwen3-Next 80B-A3B",
        "Qwen2.5 7B",
        "✗ near",
        "vllm serve",
    ):
        assert part in text, part
