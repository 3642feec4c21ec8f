"""The editor: an input for every workload field, simple-mode field and architecture field.

Its labels are lines of one Static beside the inputs (one Static for all labels keeps the editor
at ~120 widgets rather than ~350, and the screen's layout pass, paid on every keystroke, scales
with the widget count). The rows are mounted after the first paint, a group at a time (see
``build``). A keystroke calls ``edited`` while the field's value changes, so the screen redraws the
bars in the same frame (tui/widgets/field_input.py); the screen then tells the editor what to show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static

from paramtui.engine.architecture import SECTIONS
from paramtui.engine.units import format_params
from paramtui.tui.fields import GROUPS, all_fields, current_value, display
from paramtui.tui.session import SIMPLE_FIELDS, WORKLOAD_FIELDS
from paramtui.tui.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from paramtui.tui.session import Session

PLACEHOLDERS = {
    "w.gpu": "live or h100-sxm",
    "w.precision": "auto",
    "w.kv_dtype": "auto",
    "w.context": "auto (<=8192); 32k",
    "w.batch": "1",
    "w.runtime": "auto (vllm)",
}
"""What an empty workload field means; architecture fields that can be empty say ``none``."""


def input_id(path: str) -> str:
    """The widget id of a field path (``moe.top_k`` -> ``f-moe__top_k``)."""
    return "f-" + path.replace(".", "__")


def path_of(field_id: str) -> str:
    """The field path of a widget id."""
    return field_id[2:].replace("__", ".")


class Heading(Static):
    """A group's place in the inputs column: two blank lines, the second carrying an optional
    note; the group's title is drawn in the labels column beside it."""

    def __init__(self, title: str, note: str = "", classes: str = "") -> None:
        super().__init__(f"\n{note}" if note else "", classes=classes, markup=False)
        self.title = title


class Editor(VerticalScroll):
    """The editor column; ``edited(field, path, text)`` is called on every keystroke."""

    def __init__(self, edited: Callable[[Input, str, str], None], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._edited = edited
        self.ready = False
        """True once every row is mounted."""
        self.label_of: dict[str, str] = {}
        """Each input's label, by input id."""
        self._syncing = False
        self._simple = False
        self._labels_text = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="editor-grid"):
            yield Static(id="labels", markup=True)
            with Vertical(id="inputs"):
                yield Heading("workload")

    def _row(self, path: str, value: str, group: str = "", label_text: str = "") -> FieldInput:
        field = FieldInput(
            value,
            edited=self._field_edited,
            id=input_id(path),
            select_on_focus=True,
            classes=group,
            placeholder=PLACEHOLDERS.get(path, "none"),
        )
        field.tooltip = path
        self.label_of[field.id or ""] = label_text or path.split(".")[-1].replace("_", " ")
        return field

    def _field_edited(self, field: FieldInput, value: str) -> None:
        if not self._syncing and field.id is not None:
            self._edited(field, path_of(field.id), value)

    def groups(self, session: Session) -> list[list[Widget]]:
        """The rows: workload, simple mode, each group of the record, each optional section."""
        arch = session.arch
        workload: list[Widget] = [self._row(f"w.{name}", getattr(session.workload, name)) for name in WORKLOAD_FIELDS]
        heading = Heading("simple model", "ctrl+t: back", classes="simple")
        groups: list[list[Widget]] = [workload, [heading]]
        for name, label in SIMPLE_FIELDS:
            value = getattr(session.simple_model, name)
            text = format_params(value) if "params" in name else str(value)
            groups[1].append(self._row(f"m.{name}", text, "simple", label))
        for group, names in GROUPS.items():
            rows: list[Widget] = [Heading(group, classes="arch")]
            rows += [self._row(name, display(current_value(arch, name)), "arch") for name in names]
            groups.append(rows)
        for section in SECTIONS:
            on_now = getattr(arch, section) is not None
            rows = [Heading(section.replace("_", " "), classes="arch")]
            rows.append(self._row(f"s.{section}", "yes" if on_now else "no", "arch"))
            for spec in all_fields():
                if spec.path.startswith(section + "."):
                    value = current_value(arch, spec.path)
                    hidden = "" if on_now else " off"
                    text = display(value) if value is not None else ""
                    rows.append(self._row(spec.path, text, f"arch sec-{section}{hidden}"))
            groups.append(rows)
        return groups

    async def build(self, session: Session) -> bool:
        """Mount the rows a group at a time (keys typed meanwhile are handled between groups).
        False when the app quit first."""
        inputs = self.query_one("#inputs")
        for rows in self.groups(session):
            await inputs.mount_all(rows)
            if not rows[-1].is_attached:
                return False
            self.refresh_labels()
        self.ready = True
        self.sync(session)
        return True

    # --- showing the session -------------------------------------------------------------------

    def set_simple(self, simple: bool) -> None:
        """Show the simple-mode rows instead of the architecture's, or back."""
        self._simple = simple
        self.refresh_labels()

    def _shown(self, widget: Widget) -> bool:
        """Whether a row is displayed (the same rules as the CSS)."""
        if widget.has_class("off"):
            return False
        if widget.has_class("simple"):
            return self._simple
        return not (widget.has_class("arch") and self._simple)

    def refresh_labels(self) -> None:
        """Redraw the labels column to match the rows shown."""
        from rich.markup import escape

        lines: list[str] = []
        for widget in self.query_one("#inputs").children:
            if not self._shown(widget):
                continue
            if isinstance(widget, Heading):
                lines += ["", f"[b $accent]{escape(widget.title)}[/]"]
            else:
                lines.append(escape(self.label_of.get(widget.id or "", "")))
        text = "\n".join(lines)
        if text != self._labels_text:
            self._labels_text = text
            self.query_one("#labels", Static).update(text)

    def sync(self, session: Session) -> None:
        """Every input shows the session's model (after undo, a load, a restore)."""
        if not self.ready:
            return  # the rows are built from the current model when they are mounted
        arch = session.arch
        for spec in all_fields():
            value = current_value(arch, spec.path)
            self.set_value(spec.path, display(value) if value is not None else "")
        for section in SECTIONS:
            self.set_value(f"s.{section}", "yes" if getattr(arch, section) is not None else "no")
        self.show_sections(session)

    def show_sections(self, session: Session) -> None:
        """Hide the fields of sections that are off."""
        for section in SECTIONS:
            off = getattr(session.arch, section) is None
            for row in self.query(f".sec-{section}"):
                row.set_class(off, "off")
        self.refresh_labels()

    def set_value(self, path: str, value: str) -> None:
        """Show ``value`` in a field without it counting as an edit."""
        if not self.ready:
            return
        self._syncing = True
        try:
            field = self.query_one(f"#{input_id(path)}", Input)
            if field.value != value:
                field.value = value
                if not field.has_focus:
                    field.cursor_position = 0  # show a long name from its start
            field.remove_class("invalid")
        finally:
            self._syncing = False

    def focus_field(self, path: str) -> bool:
        """Focus a field and select its text (again, when it has focus already); False before it exists."""
        if not self.ready:
            return False
        field = self.query_one(f"#{input_id(path)}", Input)
        if field.has_focus:
            field.select_all()
        else:
            field.focus()
        return True
