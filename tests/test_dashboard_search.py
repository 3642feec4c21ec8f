"""The Hub search screen, driven with Pilot against the local stand-in Hub (tests/fake_hub.py)."""

from __future__ import annotations

from typing import Any

from fake_hub import FakeHub
from test_dashboard import _settle
from test_dashboard_hub import _llama_repo
from test_search import QWEN_GGUF, qwen_gguf_repo
from test_snapshots import fixed_host  # noqa: F401  (the fixture: a fixed RAM reading for the offload marks)
from textual.widgets import DataTable

from paramtui.tui.app import ParamApp
from paramtui.tui.config import Config
from paramtui.tui.screens.search import SearchScreen


def _hub(fake_hub: FakeHub) -> FakeHub:
    repo = _llama_repo()
    repo.downloads, repo.params = 5_200_000, 8_030_261_248
    fake_hub.add("meta-llama/Llama-3.1-8B", repo)
    fake_hub.add(QWEN_GGUF, qwen_gguf_repo())
    return fake_hub


async def _open_search(app: ParamApp, pilot: Any, query: str) -> SearchScreen:
    await _settle(app, pilot)
    app.action_search_hub()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    await pilot.press(*query, "enter")
    await _settle(app, pilot)
    return screen


def _rows(screen: SearchScreen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_type_a_query_see_results_pick_one_and_it_is_loaded(fake_hub: FakeHub) -> None:
    _hub(fake_hub)
    app = ParamApp(probe=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_search(app, pilot, "llama")
        rows = _rows(screen, "#search-results")
        assert rows == [["meta-llama/Llama-3.1-8B", "5.2M", "8.0B", ""]]
        assert fake_hub.searches[-1]["search"] == ["llama"]
        await pilot.press("enter")  # the highlighted row
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert not isinstance(app.screen, SearchScreen)
        assert app.session.arch.name == "meta-llama/Llama-3.1-8B"
        assert app.main.analysis is not None and app.main.analysis.weights.exact  # its headers were read


async def test_a_gguf_repo_shows_which_quants_fit_and_loads_the_one_picked(fake_hub: FakeHub) -> None:
    _hub(fake_hub)
    app = ParamApp(probe=False, config=Config(gpu="rtx-4090"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_search(app, pilot, "qwen3")
        assert _rows(screen, "#search-results")[0][3] == "GGUF"
        await pilot.press("enter")
        await _settle(app, pilot)
        quants = {row[0]: row for row in _rows(screen, "#search-quants")}
        assert list(quants) == ["BF16", "Q8_0", "Q4_K_M", "UD-IQ2_XXS"]
        assert quants["BF16"][1] == "61.0 GiB"  # two split parts summed
        assert quants["Q4_K_M"][3] == "✓ fits" and quants["UD-IQ2_XXS"][3] == "✓ fits"
        assert quants["BF16"][3] != "✓ fits"  # 61 GiB on a 24 GiB card
        assert "2 of 4 fit on preset: rtx-4090 at 8k" in str(screen.query_one("#search-status").render())
        # escape goes back to the results, enter again shows the quants, down-down-enter picks Q4_K_M
        await pilot.press("escape")
        assert screen.query_one("#search-results").display
        await pilot.press("enter")
        await _settle(app, pilot)
        before = len(fake_hub.log)
        await pilot.press("down", "down", "enter")
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert not isinstance(app.screen, SearchScreen)
        assert app.session.loaded.checkpoint_precision == "q4_k_m"
        assert app.session.arch.moe is not None and app.session.arch.moe.num_experts == 128
        assert len(fake_hub.log) == before  # the variant already read is used as it is


async def test_offline_is_a_status_line_and_the_screen_keeps_working() -> None:
    app = ParamApp(probe=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_search(app, pilot, "llama")
        status = screen.query_one("#search-status")
        assert str(status.render()).startswith("Hub unreachable:") and status.has_class("-error")
        await pilot.press("escape")
        assert not isinstance(app.screen, SearchScreen)


async def test_the_palette_offers_a_search_for_what_was_typed(fake_hub: FakeHub) -> None:
    _hub(fake_hub)
    app = ParamApp(probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        app.action_command_palette()
        await pilot.pause()
        await pilot.press(*"Search the Hub")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)


def test_snapshot_search_results_80x24(fake_hub: FakeHub, snap_compare: Any) -> None:
    """The search screen at 80x24 with results: the query, the status line, the repo list with
    downloads, the Hub's safetensors params and the GGUF / gated flags, and the footer's keys."""
    _hub(fake_hub)
    fake_hub.repos["meta-llama/Llama-3.1-8B"].gated = True

    async def run_before(pilot: Any) -> None:
        await _open_search(pilot.app, pilot, "l")

    assert snap_compare(ParamApp(probe=False), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_gguf_quants_80x24(fake_hub: FakeHub, snap_compare: Any, fixed_host: None) -> None:  # noqa: F811
    """The quants of a GGUF repo on an RTX 4090 with 200 GiB of RAM free: each with its file size,
    need, a fit mark (✓ fits, ~ with experts in RAM), largest context, decode tok/s and plan; the
    status line says how many fit."""
    _hub(fake_hub)

    async def run_before(pilot: Any) -> None:
        await _open_search(pilot.app, pilot, "qwen3")
        await pilot.press("enter")
        await _settle(pilot.app, pilot)

    app = ParamApp(probe=False, config=Config(gpu="rtx-4090"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
