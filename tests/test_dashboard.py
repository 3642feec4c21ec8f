"""The dashboard driven as a user would: Pilot typing into the editor, and SVG snapshots.

Snapshots run with the live probe off (probe=False) so they do not depend on the machine.
"""

from __future__ import annotations

import dataclasses

import pytest
from textual.worker import WorkerCancelled

from paramtui.engine.architecture import SECTIONS, Architecture
from paramtui.tui.app import ParamApp
from paramtui.tui.fields import GROUPS, all_fields


async def _settle(app: ParamApp, pilot: object) -> None:
    """Wait for the fit workers; a superseded (cancelled) one is expected when typing fast."""
    for _ in range(5):
        try:
            await app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause()  # type: ignore[attr-defined]


async def _type(app: ParamApp, pilot: object, field_id: str, text: str) -> None:
    for _ in range(100):  # the editor's rows are mounted after the first paint
        if app.main.query_one("#editor").ready:  # type: ignore[attr-defined]
            break
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    field = app.query_one(f"#{field_id}")
    field.focus()
    field.value = ""  # type: ignore[attr-defined]
    await pilot.press(*text)  # type: ignore[attr-defined]
    await _settle(app, pilot)


def test_every_record_field_has_an_input() -> None:
    """Walks the Architecture record: every field (nested specs too) has an editor input."""
    paths = {f.path for f in all_fields()}
    for f in dataclasses.fields(Architecture):
        if f.name in SECTIONS:
            spec_type = SECTIONS[f.name]
            for sub in dataclasses.fields(spec_type):
                assert f"{f.name}.{sub.name}" in paths
        else:
            assert f.name in paths


async def test_typing_top_k_redraws_the_active_bar() -> None:
    app = ParamApp(probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        assert "37.55B" in str(app.query_one("#bars").render())  # DeepSeek-V3 active
        await _type(app, pilot, "f-moe__top_k", "16")
        # 8 more of 256 experts per MoE layer: 58 MoE layers x 8 x 44.04M per expert = +20.43B
        assert app.session.arch.moe is not None and app.session.arch.moe.top_k == 16
        bars = str(app.query_one("#bars").render())
        assert "57.99B" in bars and "671.03B" in bars  # stored unchanged, active grew


async def test_a_keystroke_updates_the_model_at_once_and_lays_out_nothing() -> None:
    """benchmarks/keypress_terminal.py: a keystroke took ~50 ms to reach the bars because the
    Input asked for a whole-screen layout and the edit waited for a message after the frame.
    Now the edit runs while the field's value changes (the model is updated before control
    returns) and typing digits into a fixed-size field lays out nothing."""
    app = ParamApp(probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        for _ in range(40):
            if app.main.query_one("#editor").ready:
                break
            await pilot.pause(0.05)
        field = app.query_one("#f-moe__top_k")
        field.focus()
        await pilot.press("end")
        await _settle(app, pilot)
        layouts: list[int] = []
        refresh_layout = app.screen._refresh_layout
        app.screen._refresh_layout = lambda *a, **k: (layouts.append(1), refresh_layout(*a, **k))[1]  # type: ignore[method-assign]
        field.value = "9"  # type: ignore[attr-defined]
        assert app.session.arch.moe is not None and app.session.arch.moe.top_k == 9  # no await in between
        await pilot.press("1")
        await pilot.pause()
        assert app.session.arch.moe.top_k == 91
        await _settle(app, pilot)
        assert layouts == []
        assert "671.03B" in str(app.query_one("#bars").render())


async def test_invalid_value_is_marked_and_the_last_valid_model_stays() -> None:
    app = ParamApp(probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await _type(app, pilot, "f-moe__top_k", "999")
        field = app.query_one("#f-moe__top_k")
        assert field.has_class("invalid")
        assert "cannot exceed moe.num_experts" in str(app.query_one("#status").render())
        # "9" and "99" were valid as they were typed; "999" is not, so 99 stays on screen
        assert app.session.arch.moe is not None and app.session.arch.moe.top_k == 99
        await _type(app, pilot, "f-hidden_size", "abc")
        assert "hidden_size takes a whole number" in str(app.query_one("#status").render())


async def test_undo_redo_and_dense_switch() -> None:
    app = ParamApp("llama-3.1-8b", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        assert app.session.arch.moe is None
        await _type(app, pilot, "f-s__moe", "yes")  # MoE on: 8 experts, top-2 by default
        assert app.session.arch.moe is not None and app.session.arch.moe.num_experts == 8
        assert app.session.breakdown.active < app.session.breakdown.total
        await pilot.press("ctrl+z")
        await _settle(app, pilot)
        assert app.session.arch.moe is None
        assert app.session.breakdown.active == app.session.breakdown.total
        await pilot.press("ctrl+y")
        await _settle(app, pilot)
        assert app.session.arch.moe is not None


async def test_gpu_target_gives_a_verdict() -> None:
    app = ParamApp("llama-3.1-70b", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        await _type(app, pilot, "f-w__gpu", "2xh100-sxm")
        assert app.main.analysis is not None and app.main.analysis.fit is not None
        assert app.main.analysis.fit.verdict == "fits"
        assert "FITS" in str(app.query_one("#fit").render())
        await _type(app, pilot, "f-w__gpu", "3xnope")
        assert app.query_one("#f-w__gpu").has_class("invalid")


def test_snapshot_default_120x36(snap_compare: object) -> None:
    assert snap_compare(ParamApp(probe=False), terminal_size=(120, 36))  # type: ignore[operator]


@pytest.mark.parametrize("preset", ["deepseek-v3", "gpt2"])
async def test_presets_load_from_the_palette_action(preset: str) -> None:
    app = ParamApp("llama-3.2-1b", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        app.main.load_preset_id(preset)
        await _settle(app, pilot)
        assert app.session.loaded.preset is not None and app.session.loaded.preset.id == preset
        assert str(app.query_one("#f-num_layers").value) == str(app.session.arch.num_layers)  # type: ignore[attr-defined]


@pytest.mark.parametrize("simple", [False, True])
async def test_each_label_sits_beside_its_input(simple: bool) -> None:
    """The labels column is one Static beside the inputs column: every shown input's label must be
    on the input's own line (an off section, simple mode or a long label must not shift them)."""
    from textual.widgets import Input, Static

    app = ParamApp("deepseek-v3", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        if simple:
            await pilot.press("ctrl+t")
            await _settle(app, pilot)
        lines = str(app.query_one("#labels", Static).render()).split("\n")
        shown = [w for w in app.query_one("#inputs").children if isinstance(w, Input) and w.display]
        on_sections = sum(1 for f in all_fields() if f.path.startswith(("mla.", "moe.")))  # linear attention off
        groups = sum(len(names) for names in GROUPS.values())
        assert len(shown) == 6 + (4 if simple else groups + len(SECTIONS) + on_sections)
        for field in shown:
            label = app.main.query_one("#editor").label_of[field.id or ""]
            assert lines[field.virtual_region.y].startswith(label[:16]), (field.id, field.virtual_region.y)
