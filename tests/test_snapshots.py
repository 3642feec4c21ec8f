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


async def _hardware_tab(app: ParamApp, pilot: object) -> None:
    await pilot.press("f3")  # type: ignore[attr-defined]


async def _gpu0_off(app: ParamApp, pilot: object) -> None:
    await pilot.press("f3", "0")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Scene:
    must_show: str
    """What the SVG must show (the docstring of the picture); checked by reading the screen too."""
    text: tuple[str, ...]
    """Text that must be on the screen at both sizes."""
    source: str | None
    gpu: str = "live"
    nvml: str | None = None
    """A recorded reading under tests/data/nvml, or None for a machine without NVIDIA GPUs."""
    probe: bool = False
    step: Step = _nothing
    fit_tab: bool = False
    """At 80x24, show the Fit tab instead of the bars."""


SCENES = {
    "dense": Scene(
        "Llama 3.1 8B on an RTX 4090 preset: Stored and Active bars of equal length (dense), "
        "8.03B each; the fit (Fit tab at 80x24) says FITS.",
        ("Llama 3.1 8B", "Stored", "Active", "8.03B"),
        "llama-3.1-8b",
        gpu="rtx-4090",
    ),
    "moe": Scene(
        "DeepSeek-V3 on 8xH200: Active (37.55B) a sliver of Stored (671.03B); routed experts 97.4%.",
        ("DeepSeek-V3", "671.03B", "37.55B"),
        "deepseek-v3",
        gpu="8xh200",
    ),
    "no_gpu": Scene(
        "No NVIDIA GPU: the fit (Fit tab at 80x24) asks for a GPU preset and the hardware pane says why "
        "(NVML library not found).",
        ("no GPU to check against",),
        None,
        probe=True,
        fit_tab=True,
    ),
    "fake_h100": Scene(
        "A recorded H100 SXM: Qwen3-30B-A3B FITS, one memory bar for GPU 0 with weights, KV cache and "
        "overhead in their own glyphs, and the legend.",
        ("FITS", "GPU 0"),
        "qwen3-30b-a3b",
        nvml="h100_sxm",
        probe=True,
        fit_tab=True,
    ),
    "two_gpus": Scene(
        "Two recorded RTX 4090s, GPU 0 busy (18.1 GiB held by another process, drawn ▓): Qwen3-32B "
        "does not fit; vLLM would refuse GPU 0, so the closest plan is GPU 1 alone (its bar), and "
        "'to run it' lists what would (four 4090s, offload, a bigger GPU) with tok/s.",
        ("DOES NOT FIT", "GPU 1", "to run it"),
        "qwen3-32b",
        nvml="two_4090_one_busy",
        probe=True,
        fit_tab=True,
    ),
    "hardware": Scene(
        "The hardware pane (a tab at 80x24, under the fit at 160x48) with two recorded RTX 4090s: "
        "[x] GPU 0 and [x] GPU 1, each with a memory bar (others / plan / free), 1,008 GB/s, "
        "utilisation, temperature, power; GPU 0's process pid 24007 python3 18.08 GiB; RAM and CPU.",
        ("GPU 0 GeForce RTX 4090", "GPU 1 GeForce RTX 4090", "pid 24007 python3", "RAM", "CPU"),
        "qwen3-8b",
        nvml="two_4090_one_busy",
        probe=True,
        step=_hardware_tab,
    ),
    "gpu0_off": Scene(
        "GPU 0 switched off in the hardware pane: [ ] GPU 0 (not used), the plan on GPU 1 alone, and "
        "the verdict FITS (tab line at 80x24, fit pane at 160x48).",
        ("[ ] GPU 0", "[x] GPU 1", "FITS"),
        "qwen3-8b",
        nvml="two_4090_one_busy",
        probe=True,
        step=_gpu0_off,
    ),
    "validation_error": Scene(
        "num kv heads set to 5 (32 heads do not divide): the field red and the reason in the status "
        "line, with Stored and Active still in sight.",
        ("num_kv_heads", "Stored", "Active"),
        "llama-3.1-8b",
        gpu="h100-sxm",
        step=_bad_kv_heads,
    ),
    "compare": Scene(
        "Compare: Llama 3.1 70B pinned, Qwen3-Next-80B-A3B loaded; each bar followed by the pinned model's row.",
        ("compare: this model, then", "pinned"),
        "llama-3.1-70b",
        gpu="8xh100-sxm",
        step=_compare_with_moe,
    ),
}
"""The scenes; each says what its SVG must show."""


@pytest.fixture
def fixed_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 256 GiB, 64-core host, whatever machine runs the tests."""
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(256 * GIB, 200 * GIB))
    monkeypatch.setattr(system, "read_cpu", lambda: system.CpuReading("AMD EPYC 9554 64-Core Processor", 64, 128))


def _screen_text(app: ParamApp) -> str:
    """Every row of the screen as text (what the SVG draws)."""
    size = app.size
    rows = app.screen._compositor.render_strips(size)  # type: ignore[attr-defined]  # private: the frame's rows
    return "\n".join("".join(segment.text for segment in strip) for strip in rows)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene_name", SCENES)
def test_snapshot(
    scene_name: str, size: str, snap_compare: object, fixed_host: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each scene at 80x24 and 160x48; SCENES[...].must_show says what the picture must show, and
    its ``text`` is checked on the screen before the picture is compared."""
    scene = SCENES[scene_name]
    if scene.nvml is not None:
        install(monkeypatch, FakeNvml(load_reading(scene.nvml)))
    app = ParamApp(scene.source, probe=scene.probe, config=Config(gpu=scene.gpu, poll_interval=60.0))
    seen: list[str] = []

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
        seen.append(_screen_text(app))

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)  # type: ignore[operator]
    for text in scene.text:
        assert text in seen[0], (text, scene.must_show)
