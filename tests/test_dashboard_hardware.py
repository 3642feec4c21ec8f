"""The hardware pane with recorded GPU readings (tests/fake_nvml.py): per-GPU memory, processes,
toggling a GPU out of the plan, the third tab at 80 columns, polling that redraws only on change."""

from __future__ import annotations

import dataclasses

import pytest
from test_dashboard import _settle

from paramtui.engine.adapters import system
from paramtui.tui.app import ParamApp
from paramtui.tui.config import Config
from paramtui.tui.messages import HardwarePolled
from tests.fake_nvml import FakeNvml, install, load_reading

GIB = 2**30


@pytest.fixture
def two_gpus(monkeypatch: pytest.MonkeyPatch) -> FakeNvml:
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(256 * GIB, 200 * GIB))
    monkeypatch.setattr(system, "read_cpu", lambda: system.CpuReading("AMD EPYC 9554 64-Core Processor", 64, 128))
    return install(monkeypatch, FakeNvml(load_reading("two_4090_one_busy")))


async def _wait_for_machine(app: ParamApp, pilot: object) -> None:
    for _ in range(100):
        if app.session.machine is not None:
            break
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    await _settle(app, pilot)


def _text(app: ParamApp, selector: str) -> str:
    return str(app.query_one(selector).render())


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_toggling_gpu0_moves_the_plan_to_gpu1(two_gpus: FakeNvml, size: tuple[int, int]) -> None:
    """Qwen3-8B, 15.3 GiB of bf16 weights: vLLM would refuse GPU 0 (one process holds 18.1 of 24 GiB,
    less than its 0.9 claim is free), so with both GPUs on the plan already runs on GPU 1 alone;
    with GPU 0 switched off it is the same plan."""
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=size) as pilot:
        await _wait_for_machine(app, pilot)
        await pilot.press("f3")
        await _settle(app, pilot)
        pane = app.query_one("#hardware")
        assert pane.has_focus and pane.region.height > 0  # shown: a tab at 80 columns, under the fit at 160
        text = _text(app, "#hardware")
        assert "GPU 0 GeForce RTX 4090" in text and "GPU 1 GeForce RTX 4090" in text
        assert "pid 24007 python3 18.08 GiB" in text  # the process holding GPU 0's memory
        assert "util 100%" in text and "63 C" in text and "348 W" in text and "1,008 GB/s" in text
        assert "RAM 200.0 GiB available of 256.0 GiB" in text and "AMD EPYC 9554" in text
        analysis = app.main.analysis
        assert analysis is not None and analysis.fit is not None and analysis.fit.verdict == "fits"
        assert analysis.fit.attempt.plan.devices == (1,)
        await pilot.press("0")
        await _settle(app, pilot)
        analysis = app.main.analysis
        assert analysis is not None and analysis.hardware is not None and analysis.fit is not None
        assert [g.id for g in analysis.hardware.gpus] == ["nvml:1"]
        assert analysis.fit.verdict == "fits"
        assert "[ ] GPU 0" in _text(app, "#hardware") and "[x] GPU 1" in _text(app, "#hardware")
        assert "FITS" in _text(app, "#pane-tabs" if size[0] < 110 else "#fit")
        await pilot.press("space")  # the cursor is on GPU 0: back in the plan
        await _settle(app, pilot)
        assert app.main.analysis is not None and app.main.analysis.hardware is not None
        assert len(app.main.analysis.hardware.gpus) == 2


async def test_a_click_on_a_gpu_toggles_it(two_gpus: FakeNvml) -> None:
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait_for_machine(app, pilot)
        pane = app.query_one("#hardware")
        starts = pane._starts  # type: ignore[attr-defined]
        await pilot.click("#hardware", offset=(2, starts[1]))
        await _settle(app, pilot)
        assert not app.session.gpu_used(1) and app.session.gpu_used(0)


async def test_f2_goes_through_three_tabs_at_80_columns(two_gpus: FakeNvml) -> None:
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait_for_machine(app, pilot)
        shown = []
        for _ in range(4):
            shown.append(app.main.tab)
            assert app.query_one(
                {"bars": "#bars-pane", "fit": "#fit-pane", "hardware": "#hw-pane"}[app.main.tab]
            ).display
            await pilot.press("f2")
            await pilot.pause()
        assert shown == ["bars", "fit", "hardware", "bars"]


async def test_a_poll_with_nothing_new_redraws_nothing(two_gpus: FakeNvml) -> None:
    """An idle machine: the same reading every poll must cost no repaint and no re-plan."""
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait_for_machine(app, pilot)
        pane = app.query_one("#hardware")
        refreshes: list[object] = []
        original = pane.refresh
        pane.refresh = lambda *a, **k: (refreshes.append(a), original(*a, **k))[1]  # type: ignore[method-assign]
        machine = app.session.machine
        assert machine is not None
        app.main.post_message(HardwarePolled(machine.snapshot))
        await _settle(app, pilot)
        assert refreshes == []
        gpus = list(machine.snapshot.gpus)
        gpus[1] = dataclasses.replace(gpus[1], temperature_c=41)
        app.main.post_message(HardwarePolled(dataclasses.replace(machine.snapshot, gpus=tuple(gpus))))
        await _settle(app, pilot)
        assert refreshes  # the changed line is repainted
        assert "41 C" in _text(app, "#hardware")


async def test_no_gpu_says_why_like_hw() -> None:
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait_for_machine(app, pilot)
        assert "no NVIDIA GPU found: NVML library not found" in _text(app, "#hardware")
