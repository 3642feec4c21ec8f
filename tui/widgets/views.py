"""The bars and the fit as widgets: Fitted drawings whose colours come from the theme.

Each exposes its colours as COMPONENT_CLASSES set from theme variables in DEFAULT_CSS, so a theme
(``theme = "nord"``) restyles the bars, the memory segments and the verdict, not only the chrome.
"""

from __future__ import annotations

from typing import ClassVar

from paramtui.tui.widgets.fitted import Fitted


class BarsView(Fitted):
    """Stored-vs-active bars (drawn by tui/bars.py)."""

    STYLE_PREFIX = "bars--"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"bars--active", "bars--stored", "bars--pinned", "bars--dim"}
    """Active cells and figures, stored cells, the pinned model's rows, and secondary text."""
    DEFAULT_CSS = """
    BarsView {
        & > .bars--active { color: $success; text-style: bold; }
        & > .bars--stored { color: $foreground 45%; }
        & > .bars--pinned { color: $secondary; }
        & > .bars--dim { color: $text-muted; }
    }
    """


class FitView(Fitted):
    """Per-GPU memory bars, verdict and speeds (drawn by tui/fit_view.py)."""

    STYLE_PREFIX = "fit--"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "fit--others",
        "fit--weights",
        "fit--kv",
        "fit--overhead",
        "fit--free",
        "fit--fits",
        "fit--fits_with_offload",
        "fit--does_not_fit",
        "fit--warning",
        "fit--error",
        "fit--pinned",
        "fit--dim",
    }
    """Memory segments (used by others, weights, KV cache, overhead, free), the three verdicts,
    warnings and errors, the pinned model, and secondary text."""
    DEFAULT_CSS = """
    FitView {
        & > .fit--others { color: $error; }
        & > .fit--weights { color: $primary; }
        & > .fit--kv { color: $secondary; }
        & > .fit--overhead { color: $warning; }
        & > .fit--free { color: $foreground 30%; }
        & > .fit--fits { color: $success; text-style: bold; }
        & > .fit--fits_with_offload { color: $warning; text-style: bold; }
        & > .fit--does_not_fit { color: $error; text-style: bold; }
        & > .fit--warning { color: $warning; }
        & > .fit--error { color: $error; }
        & > .fit--pinned { color: $secondary; text-style: bold; }
        & > .fit--dim { color: $text-muted; }
    }
    """
