"""Dashboard features driven with Pilot: simple mode, compare, save, autosave and restore, export,
config, help, and a bad SOURCE that still opens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_dashboard import _settle, _type

from paramtui.engine.adapters import store
from paramtui.tui.app import ParamApp
from paramtui.tui.config import Config
from paramtui.tui.screens import HelpScreen, RestoreScreen


def _bars(app: ParamApp) -> str:
    return str(app.query_one("#bars").render())


def _fit(app: ParamApp) -> str:
    return str(app.query_one("#fit").render())


async def _wait_for_screen(app: ParamApp, pilot: object, kind: type) -> None:
    for _ in range(200):  # under a loaded CI machine the first frames can take seconds
        if isinstance(app.screen, kind):
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError(f"{kind.__name__} did not open; screen is {app.screen!r}, autosave {store.read_autosave()}")


async def test_simple_mode_is_the_thought_experiment() -> None:
    app = ParamApp(probe=False, config=Config(gpu="h100-sxm"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+t")
        await _settle(app, pilot)
        assert app.screen.has_class("-simple")
        assert "640.00B" in _bars(app) and "20.00B" in _bars(app)  # 64 x 10B, top-2
        await _type(app, pilot, "f-m__shared_params", "12B")
        bars = _bars(app)
        assert "652.00B" in bars and "32.00B" in bars
        await _type(app, pilot, "f-m__top_k", "8")
        assert "92.00B" in _bars(app)  # 8 x 10B + 12B
        assert "need 16 x" in _fit(app)  # 652e9 x 2 B over 80 GiB cards
        await _type(app, pilot, "f-m__top_k", "65")
        assert "top-k must be 1 to the number of experts" in str(app.query_one("#status").render())
        await pilot.press("ctrl+t")
        await _settle(app, pilot)
        assert "671.03B" in _bars(app)  # back to DeepSeek-V3


async def test_compare_shows_both_models_in_bars_and_fit() -> None:
    app = ParamApp("llama-3.1-70b", probe=False, config=Config(gpu="8xh100-sxm"))
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+b")
        app.main.load_preset_id("qwen3-30b-a3b")
        await _settle(app, pilot)
        bars = _bars(app)
        assert "pinned Llama 3.1 70B Instruct" in bars
        assert "70.55B" in bars and "30.53B" in bars  # both totals on one scale
        fit = _fit(app)
        assert "pinned: Llama 3.1 70B Instruct" in fit and "FITS" in fit
        await pilot.press("ctrl+b")
        await _settle(app, pilot)
        assert "pinned" not in _bars(app)


async def test_edits_are_autosaved_and_offered_back() -> None:
    app = ParamApp("llama-3.1-8b", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await _type(app, pilot, "f-num_layers", "40")
        # no pause: quitting right after typing must still leave the edit in the autosave
    saved = store.read_autosave()
    assert saved is not None and saved.architecture.num_layers == 40

    again = ParamApp("llama-3.1-8b", probe=False)
    async with again.run_test(size=(120, 36)) as pilot:
        await _wait_for_screen(again, pilot, RestoreScreen)
        await pilot.press("r")
        await _settle(again, pilot)
        assert again.session.arch.num_layers == 40
        await pilot.press("ctrl+z")  # restoring is an edit like any other
        assert again.session.arch.num_layers == 32
        await pilot.press("ctrl+y")
        assert again.session.arch.num_layers == 40  # and quitting at once still leaves it in the autosave

    third = ParamApp("llama-3.1-8b", probe=False)
    async with third.run_test(size=(120, 36)) as pilot:
        await _wait_for_screen(third, pilot, RestoreScreen)
        await pilot.press("d")
        await pilot.pause()
        assert third.session.arch.num_layers == 32
    assert store.read_autosave() is None


async def test_save_then_open_from_the_recent_list() -> None:
    app = ParamApp("llama-3.1-8b", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await _type(app, pilot, "f-name", "my 8b")
        await _type(app, pilot, "f-num_layers", "48")
        await pilot.press("ctrl+s")
        await pilot.pause()
    path = store.data_dir() / "models" / "my-8b.json"
    assert json.loads(path.read_text())["architecture"]["num_layers"] == 48
    assert store.recent_sources()[0] == str(path)
    assert store.read_autosave() is None  # saved: nothing left unsaved

    other = ParamApp(str(path), probe=False)
    async with other.run_test(size=(120, 36)) as pilot:
        await _settle(other, pilot)
        assert other.session.arch.num_layers == 48 and "my 8b" in str(other.query_one("#bars").render())


async def test_export_writes_the_report_and_a_screenshot() -> None:
    app = ParamApp("qwen3-30b-a3b", probe=False, config=Config(gpu="rtx-4090"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
    exports = sorted((store.data_dir() / "exports").iterdir())
    assert [p.suffix for p in exports] == [".json", ".svg"]
    report = json.loads(exports[0].read_text())
    assert report["params"]["total"] == 30_532_122_624  # Qwen3-30B-A3B, as the checkpoint header sums
    assert report["fit"]["verdict"] in ("fits", "fits_with_offload", "does_not_fit")
    assert exports[1].read_text().startswith("<svg")


async def test_bad_source_still_opens_and_says_why() -> None:
    app = ParamApp("no-such-model", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        status = str(app.query_one("#status").render())
        assert "no-such-model" in status and "showing deepseek-v3 instead" in status
        assert "671.03B" in _bars(app)


async def test_config_sets_theme_keymap_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        'theme = "nord"\n[defaults]\nsource = "llama-3.1-8b"\ncontext = 4096\n[keymap]\nundo = "ctrl+n"\n'
    )
    app = ParamApp(probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        assert app.theme == "nord"
        assert app.session.arch.name == "Llama 3.1 8B"
        assert app.main.analysis is not None and app.main.analysis.workload.context == 4096
        await _type(app, pilot, "f-num_layers", "40")
        await pilot.press("ctrl+n", "ctrl+n")  # one undo step per keystroke: 40 -> 4 -> 32
        assert app.session.arch.num_layers == 32


async def test_a_bad_theme_in_config_is_named(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('theme = "solarised-purple"\n')
    app = ParamApp(probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        assert "theme 'solarised-purple' does not exist" in str(app.query_one("#status").render())


async def test_help_screen_opens_and_closes() -> None:
    app = ParamApp(probe=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_narrow_terminal_shows_bars_or_fit_as_tabs() -> None:
    app = ParamApp("llama-3.1-8b", probe=False, config=Config(gpu="h100-sxm"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        bars_pane, fit_pane = app.query_one("#bars-pane"), app.query_one("#fit-pane")
        assert bars_pane.display and not fit_pane.display
        assert "FITS" in str(app.query_one("#pane-tabs").render())  # the verdict stays in sight
        await pilot.press("f2")
        await pilot.pause()
        assert fit_pane.display and not bars_pane.display
        await _type(app, pilot, "f-num_kv_heads", "5")
        status = app.query_one("#status")
        assert status.display and "divisible" in str(status.render())  # the reason shows at 80x24
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert bars_pane.display and fit_pane.display
        assert not app.query_one("#pane-tabs").display


async def test_undo_back_to_the_loaded_model_leaves_no_autosave() -> None:
    app = ParamApp("llama-3.1-8b", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await _type(app, pilot, "f-num_layers", "40")
        await pilot.pause(0.7)  # the autosave timer has written it
        assert store.read_autosave() is not None
        await pilot.press("ctrl+z", "ctrl+z")  # typing "40" committed 4, then 40
        assert app.session.arch.num_layers == 32
    assert store.read_autosave() is None  # undone before quitting: nothing unsaved to offer


async def test_the_toy_gets_a_verdict_speed_and_options() -> None:
    """Simple mode's 64 x 10B, top-2 on one H100: it does not fit, and the options (multi-node,
    offload, a bigger GPU) come with tok/s, as for a full model."""
    app = ParamApp(probe=False, config=Config(gpu="h100-sxm"))
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+t")
        await _settle(app, pilot)
        text = _fit(app)
        assert "DOES NOT FIT" in text and "to run it" in text
        assert "multi-node" in text and "tok/s" in text
        assert "Llama-70B-like layers" in text


async def test_ctrl_l_copies_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    app = ParamApp("llama-3.1-8b", probe=False, config=Config(gpu="rtx-4090"))
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
    assert copied == ["vllm serve meta-llama/Llama-3.1-8B --max-model-len 8192 --gpu-memory-utilization 0.9"]
