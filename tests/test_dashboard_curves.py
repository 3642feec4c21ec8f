"""The curves in the fit pane: they come with the fit, equal the engine's, and hide without a GPU or in simple mode."""

from __future__ import annotations

from typing import Any

from test_dashboard import _settle
from test_snapshots import fixed_host  # noqa: F401  (the fixture: a fixed RAM reading)

from paramtui.engine.curves import compute_curves
from paramtui.tui.app import ParamApp
from paramtui.tui.config import Config
from paramtui.tui.curves_view import LIMIT_GLYPH
from paramtui.tui.widgets import CurvesView


async def test_curves_follow_the_fit_and_equal_the_engines() -> None:
    app = ParamApp("llama-3.1-8b", probe=False, config=Config(gpu="rtx-4090"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        view = app.main.query_one(CurvesView)
        assert view.has_class("-shown")
        analysis = app.main.analysis
        assert analysis is not None and app.main._result is not None
        assert app.main._result.curves == compute_curves(analysis)
        drawn = str(view.render())
        assert "decode tok/s (1 request) vs context" in drawn and LIMIT_GLYPH in drawn
        assert "fits to 42.8k" in drawn  # inspect --gpu rtx-4090: largest context 43,813 tokens
        await pilot.press("ctrl+t")  # simple mode: a toy with no context to plot against
        await _settle(app, pilot)
        assert not view.display or not view.is_displayed


async def test_no_gpu_no_curves_and_no_layout_per_fit() -> None:
    app = ParamApp("llama-3.1-8b", probe=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(app, pilot)
        assert not app.main.query_one(CurvesView).has_class("-shown")
        app.main.action_curves()
        await pilot.pause()
        assert any("no curves" in n.message for n in app._notifications)


def test_snapshot_curves_80x24(snap_compare: Any, fixed_host: None) -> None:  # noqa: F811
    """Llama 3.1 8B on an RTX 4090 preset at 80x24, the Fit tab scrolled to the curves (palette command
    "Curves"): decode tok/s falling with context, the memory curve rising through the ┄ budget line,
    and the ┆ line at the largest context that fits (42.8k), labelled on the x axis."""

    async def run_before(pilot: Any) -> None:
        await _settle(pilot.app, pilot)
        pilot.app.main.action_curves()
        await pilot.pause()
        await pilot.pause()

    app = ParamApp("llama-3.1-8b", probe=False, config=Config(gpu="rtx-4090", poll_interval=60.0))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
