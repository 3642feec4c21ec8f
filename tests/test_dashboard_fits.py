"""The fits screen (f4) on the recorded H100 (tests/fake_nvml.py): the list, type-to-filter, sorting by
a key and by a header click, enter loading the model into the editor, and following a new GPU reading."""

from __future__ import annotations

import dataclasses

import pytest
from test_dashboard import _settle

from paramtui.engine.adapters import system
from paramtui.tui.app import ParamApp
from paramtui.tui.config import Config
from paramtui.tui.messages import HardwarePolled
from paramtui.tui.screens.fits import FitsScreen
from paramtui.tui.widgets.fits_table import FitsTable
from tests.fake_nvml import FakeNvml, install, load_reading

GIB = 2**30


@pytest.fixture
def h100(monkeypatch: pytest.MonkeyPatch) -> FakeNvml:
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(256 * GIB, 200 * GIB))
    monkeypatch.setattr(system, "read_cpu", lambda: system.CpuReading("AMD EPYC 9554 64-Core Processor", 64, 128))
    return install(monkeypatch, FakeNvml(load_reading("h100_sxm")))


async def _open_fits(app: ParamApp, pilot: object) -> FitsScreen:
    for _ in range(100):
        if app.session.machine is not None:
            break
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    await _settle(app, pilot)
    await pilot.press("f4")  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, FitsScreen)
    for _ in range(200):
        if screen.ranking is not None:
            break
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    await _settle(app, pilot)
    return screen


def _models(screen: FitsScreen) -> list[str]:
    table = screen.query_one(FitsTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def _column(screen: FitsScreen, key: str) -> list[str]:
    table = screen.query_one(FitsTable)
    return [str(cell) for cell in table.get_column(key)]


async def test_f4_lists_every_preset_fastest_first(h100: FakeNvml) -> None:
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open_fits(app, pilot)
        assert screen.ranking is not None
        models = _models(screen)
        assert len(models) == len(screen.ranking.rows) >= 38
        assert models[0] == "GPT-2 (124M)"  # the smallest model decodes fastest
        title = str(screen.query_one("#fits-title").render())
        assert "fit" in title and "NVIDIA H100 80GB HBM3" in title
        assert _column(screen, "fit")[0] == "✓ fits"


async def test_type_a_filter_sort_by_context_and_load_one(h100: FakeNvml) -> None:
    app = ParamApp("llama-3.1-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_fits(app, pilot)
        await pilot.press(*"qwen")
        await pilot.pause()
        models = _models(screen)
        assert models and all("qwen" in m.lower() for m in models)
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s")  # fit -> precision -> tok/s -> context
        await pilot.pause()
        assert screen.sort_column == "context"
        contexts = [r.max_context for r in screen._visible_rows()]
        assert contexts == sorted(contexts, reverse=True)
        header = str(screen.query_one(FitsTable).columns[screen.query_one(FitsTable).column_key("context")].label)
        assert header == "ctx ▼"
        first = screen._visible_rows()[0]
        await pilot.press("enter")
        await _settle(app, pilot)
        assert app.screen is app.main
        assert app.session.arch.name == first.candidate.arch.name
        assert app.session.loaded.source == f"preset:{first.candidate.key}"


async def test_a_header_click_sorts_and_a_second_reverses(h100: FakeNvml) -> None:
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open_fits(app, pilot)
        table = screen.query_one(FitsTable)
        table.post_message(
            FitsTable.HeaderSelected(
                table, table.column_key("params"), 6, table.columns[table.column_key("params")].label
            )
        )
        await pilot.pause()
        totals = [r.candidate.breakdown.total for r in screen._visible_rows()]
        assert screen.sort_column == "params" and totals == sorted(totals, reverse=True)
        table.post_message(
            FitsTable.HeaderSelected(
                table, table.column_key("params"), 6, table.columns[table.column_key("params")].label
            )
        )
        await pilot.pause()
        totals = [r.candidate.breakdown.total for r in screen._visible_rows()]
        assert screen.sort_reverse and totals == sorted(totals)


async def test_the_list_follows_the_live_reading(h100: FakeNvml) -> None:
    """Another process takes 60 GiB of the H100: the list is ranked again and Qwen3-32B (65 GiB) no
    longer fits; when the memory is freed it fits again."""
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open_fits(app, pilot)
        verdict = dict(zip(_models(screen), _column(screen, "fit"), strict=True))
        assert verdict["Qwen3 32B"] == "✓ fits"
        machine = app.session.machine
        assert machine is not None
        gpu = machine.snapshot.gpus[0]
        assert gpu.memory_total is not None
        busy = dataclasses.replace(gpu, memory_used=60 * GIB, memory_free=gpu.memory_total - 60 * GIB)
        app.main.post_message(HardwarePolled(dataclasses.replace(machine.snapshot, gpus=(busy,))))
        for _ in range(100):
            await pilot.pause(0.05)
            verdict = dict(zip(_models(screen), _column(screen, "fit"), strict=True))
            if verdict["Qwen3 32B"] != "✓ fits":
                break
        assert verdict["Qwen3 32B"] != "✓ fits"
        app.main.post_message(HardwarePolled(dataclasses.replace(machine.snapshot, gpus=(gpu,))))
        for _ in range(100):
            await pilot.pause(0.05)
            verdict = dict(zip(_models(screen), _column(screen, "fit"), strict=True))
            if verdict["Qwen3 32B"] == "✓ fits":
                break
        assert verdict["Qwen3 32B"] == "✓ fits"


async def test_the_palette_command_opens_it_and_escape_closes_it(h100: FakeNvml) -> None:
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        commands = [c.title for c in app.get_system_commands(app.main)]
        assert "What fits here" in commands
        await pilot.press("ctrl+p")
        await pilot.press(*"What fits")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, FitsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_without_a_gpu_it_says_how_to_choose_one() -> None:
    app = ParamApp("qwen3-8b", config=Config(poll_interval=60.0), offer_restore=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        await pilot.press("f4")
        await _settle(app, pilot)
        await pilot.pause(0.2)
        title = str(app.screen.query_one("#fits-title").render())
        hint = str(app.screen.query_one("#fits-detail").render())
        assert title.startswith("no GPU to rank on") and "ctrl+g sets a GPU target" in hint
