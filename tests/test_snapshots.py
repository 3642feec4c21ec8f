"""SVG snapshots of the dashboard at 80x24 (the panes as tabs) and 160x48 (side by side).

Scenes: a dense preset, an MoE preset, a machine without a GPU, a (fake) live H100, a live box of
two RTX 4090s with one busy, a validation error, and compare mode. The live scenes read recorded
NVML readings through the fake backend (tests/fake_nvml.py) and a fixed RAM/CPU reading, so the
pictures do not depend on this machine. At 80x24 the scenes about a verdict show the Fit tab.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from test_dashboard import _settle, _type

from paramtui.engine.adapters import system
from paramtui.tui.app import ParamApp
from paramtui.tui.config import Config
from tests.fake_nvml import FakeNvml, install, load_reading

GIB = 2**30
SIZES = {"80x24": (80, 24), "160x48": (160, 48)}

Step = Callable[[ParamApp, object], Awaitable[None]]


async def _nothing(app: ParamApp, pilot: object) -> None:
    return None


async def _bad_kv_heads(app: ParamApp, pilot: object) -> None:
    await _type(app, pilot, "f-num_kv_heads", "5")  # 32 heads are not divisible by 5


async def _compare_with_moe(app: ParamApp, pilot: object) -> None:
    await pilot.press("ctrl+b")  # type: ignore[attr-defined]
    app.main.load_preset_id("qwen3-next-80b-a3b")


@dataclass(frozen=True)
class Scene:
    source: str | None
    gpu: str = "live"
    nvml: str | None = None
    """A recorded reading under tests/data/nvml, or None for a machine without NVIDIA GPUs."""
    probe: bool = False
    step: Step = _nothing
    fit_tab: bool = False
    """At 80x24, show the Fit tab instead of the bars."""


SCENES = {
    "dense": Scene("llama-3.1-8b", gpu="rtx-4090"),
    "moe": Scene("deepseek-v3", gpu="8xh200"),
    "no_gpu": Scene(None, probe=True, fit_tab=True),
    "fake_h100": Scene("qwen3-30b-a3b", nvml="h100_sxm", probe=True, fit_tab=True),
    "two_gpus": Scene("qwen3-32b", nvml="two_4090_one_busy", probe=True, fit_tab=True),
    "validation_error": Scene("llama-3.1-8b", gpu="h100-sxm", step=_bad_kv_heads),
    "compare": Scene("llama-3.1-70b", gpu="8xh100-sxm", step=_compare_with_moe),
}


@pytest.fixture
def fixed_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 256 GiB, 64-core host, whatever machine runs the tests."""
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(256 * GIB, 200 * GIB))
    monkeypatch.setattr(system, "read_cpu", lambda: system.CpuReading("AMD EPYC 9554 64-Core Processor", 64, 128))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene_name", SCENES)
def test_snapshot(
    scene_name: str, size: str, snap_compare: object, fixed_host: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = SCENES[scene_name]
    if scene.nvml is not None:
        install(monkeypatch, FakeNvml(load_reading(scene.nvml)))
    app = ParamApp(scene.source, probe=scene.probe, config=Config(gpu=scene.gpu, poll_interval=60.0))

    async def before(pilot: object) -> None:
        for _ in range(100):
            if not scene.probe or app.session.machine is not None:
                break
            await pilot.pause(0.05)  # type: ignore[attr-defined]
        await _settle(app, pilot)
        await scene.step(app, pilot)
        await _settle(app, pilot)
        if scene.fit_tab and size == "80x24":
            await pilot.press("f2")  # type: ignore[attr-defined]
        app.clear_notifications()  # toasts are transient; the picture is of the panes
        app.screen.set_focus(None)  # no blinking cursor in the picture
        await pilot.pause()  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)  # type: ignore[operator]
