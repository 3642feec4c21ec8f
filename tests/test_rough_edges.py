"""The rough edges a new user hit (issue 21), one test each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tomllib
from rich.console import Console
from test_dashboard import _settle, _type

from paramtui.engine.adapters.sources import load_source
from paramtui.presets import all_presets, gpu_presets
from paramtui.tui.app import ParamApp
from paramtui.tui.cli import main
from paramtui.tui.config import BINDING_IDS, Config
from paramtui.tui.fit_view import FIT_STYLES, SEGMENTS, legend
from paramtui.tui.screens import HelpScreen

ROOT = Path(__file__).resolve().parent.parent


async def _ready(app: ParamApp, pilot: object) -> None:
    for _ in range(60):
        if app.main.query_one("#editor").ready:  # type: ignore[attr-defined]
            break
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    await _settle(app, pilot)


async def test_help_lists_every_key_with_its_binding_id_as_remapped(private_user_dirs: Path) -> None:
    """[keymap] and [undo] used to be read as markup and vanish; the help was a fixed text that did
    not follow a remapped key, left out f2, and was hard-wrapped for 96 columns."""
    app = ParamApp(probe=False, offer_restore=False, config=Config(keymap={"undo": "ctrl+u"}))
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        assert "[keymap]" in text
        for binding_id in BINDING_IDS:
            assert f"[{binding_id}]" in text, binding_id
        undo = next(line for line in text.splitlines() if "[undo]" in line)
        assert "ctrl+u" in undo and "ctrl+z" not in undo
        assert re.search(r"f2 .*\[pane\]", text) and re.search(r"f3 .*\[hardware\]", text)
        paragraph = next(line for line in text.splitlines() if line.startswith("Left: the editor."))
        assert len(paragraph) > 96  # one line, wrapped by the screen to its width, not at 96 columns


def test_presets_shows_whole_ids_at_80_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    firsts = {line.split()[0] for line in out.splitlines()[2:] if line.strip()}
    assert set(all_presets()) <= firsts  # llama-4-maverick, devstral-small-2-24b: whole


def test_help_lists_hw(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "hw [--json]" in capsys.readouterr().out


async def test_second_ctrl_g_selects_the_gpu_field() -> None:
    app = ParamApp("llama-3.1-8b", probe=False, offer_restore=False, config=Config(gpu="h100-sxm"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _ready(app, pilot)
        await pilot.press("ctrl+g")
        await pilot.press("end")
        await pilot.press("ctrl+g")
        await pilot.press(*"rtx-4090")
        await _settle(app, pilot)
        assert app.session.workload.gpu == "rtx-4090"  # replaced, not "h100-sxmrtx-4090"


async def test_context_field_takes_32k() -> None:
    app = ParamApp("qwen3-8b", probe=False, offer_restore=False, config=Config(gpu="h100-sxm"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _ready(app, pilot)
        await _type(app, pilot, "f-w__context", "32k")
        assert not app.query_one("#f-w__context").has_class("invalid")
        assert app.main.analysis is not None and app.main.analysis.workload.context == 32768


def test_no_color_segments_have_distinct_glyphs() -> None:
    """Without colour the memory bar and its legend still tell the parts apart."""
    glyphs = [glyph for _, glyph, _ in SEGMENTS]
    assert len(set(glyphs)) == len(glyphs) == 4
    line = legend(FIT_STYLES).plain
    for glyph, label in ((g, lab) for _, g, lab in SEGMENTS):
        assert f"{glyph} {label}" in line
    assert "·" in line and "■" not in line


async def test_palette_opened_empty_shows_paramtui_commands() -> None:
    from textual.command import CommandPalette

    app = ParamApp(probe=False, offer_restore=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _ready(app, pilot)
        app.action_command_palette()
        await pilot.pause(0.5)
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one("CommandList")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]  # type: ignore[attr-defined]
        listed = "\n".join(prompts)
        assert "Load preset: deepseek-v3" in listed and "GPU target: h100-sxm" in listed


async def test_a_status_message_leaves_stored_and_active_in_sight_at_80x24() -> None:
    app = ParamApp("deepseek-v3", probe=False, offer_restore=False, config=Config(gpu="8xh200"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        await _type(app, pilot, "f-hidden_size", "abc")
        assert app.query_one("#status").region.height >= 1
        pane = app.query_one("#bars-pane")
        bars = app.query_one("#bars")
        lines = str(bars.render()).splitlines()
        stored = next(i for i, line in enumerate(lines) if line.startswith("Stored"))
        active = next(i for i, line in enumerate(lines) if line.startswith("Active"))
        visible = pane.region.height
        assert max(stored, active) < visible  # both within the pane's visible rows
        assert pane.styles.scrollbar_size_vertical == 0  # no stray scrollbar mark in the bars


def test_published_convention_has_no_doubled_parentheses() -> None:
    console = Console(width=200, record=True)
    from paramtui.tui.report import render_table

    console.print(render_table(load_source("llama-3.1-70b")))
    text = console.export_text()
    assert "(rounded (70B))" not in text and "; rounded (70B)" in text


async def test_empty_fields_have_placeholders() -> None:
    app = ParamApp("llama-3.1-8b", probe=False, offer_restore=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _ready(app, pilot)
        assert "32k" in app.query_one("#f-w__context").placeholder  # type: ignore[attr-defined]
        assert app.query_one("#f-w__runtime").placeholder  # type: ignore[attr-defined]
        assert app.query_one("#f-quantization").placeholder == "none"  # type: ignore[attr-defined]


async def test_leaving_simple_mode_keeps_the_toy() -> None:
    app = ParamApp(probe=False, offer_restore=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _ready(app, pilot)
        await pilot.press("ctrl+t")
        await _type(app, pilot, "f-m__num_experts", "128")
        await pilot.press("ctrl+t")
        await pilot.press("ctrl+t")
        await _settle(app, pilot)
        assert app.session.simple_model.num_experts == 128
        assert app.query_one("#f-m__num_experts").value == "128"  # type: ignore[attr-defined]
        assert "128 x" in str(app.query_one("#bars").render())


def test_a_config_file_is_named_after_its_model(tmp_path: Path) -> None:
    """configs/deepseek-v3.json was named "configs" (its directory)."""
    raw = json.loads((ROOT / "presets" / "models" / "deepseek-v3.json").read_text())
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "deepseek-v3.json").write_text(json.dumps(raw))
    assert load_source(str(tmp_path / "configs" / "deepseek-v3.json")).result.architecture.name == "DeepSeek-V3"
    del raw["paramtui"]
    (tmp_path / "configs" / "deepseek-v3.json").write_text(json.dumps(raw))
    assert load_source(str(tmp_path / "configs" / "deepseek-v3.json")).result.architecture.name == "deepseek-v3"
    (tmp_path / "my-model").mkdir()
    (tmp_path / "my-model" / "config.json").write_text(json.dumps(raw))
    assert load_source(str(tmp_path / "my-model" / "config.json")).result.architecture.name == "my-model"


def test_readme_counts_gpu_presets_and_keeps_to_user_files() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"{len(gpu_presets())} GPU presets" in readme
    assert "DESIGN.md" not in readme and "../shared" not in readme


def test_textual_is_a_range_and_the_tests_pin_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "textual>=8.2,<9" in project["dependencies"]
    assert "textual==8.2.8" in project["optional-dependencies"]["test"]


def test_binding_ids_in_config_are_the_bindings_ids() -> None:
    from paramtui.tui.screens import MainScreen

    ids = {b.id for b in [*ParamApp.BINDINGS, *MainScreen.BINDINGS]}
    assert ids == set(BINDING_IDS)


async def test_a_theme_restyles_the_bars_and_the_verdict() -> None:
    """Colours come from theme variables: switching theme changes the active bar's and verdict's colour."""
    app = ParamApp("llama-3.1-8b", probe=False, offer_restore=False, config=Config(gpu="h100-sxm"))
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(app, pilot)
        bars, fit = app.query_one("#bars"), app.query_one("#fit")
        before = (bars.styles_map()["active"], fit.styles_map()["fits"])  # type: ignore[attr-defined]
        app.theme = "nord"
        await pilot.pause(0.2)
        after = (bars.styles_map()["active"], fit.styles_map()["fits"])  # type: ignore[attr-defined]
        assert before[0].color != after[0].color and before[1].color != after[1].color
