"""The dashboard's state without Textual: the loaded model, its edits, undo/redo, the workload,
the pinned model, simple mode and the GPUs the plan uses.

The main screen owns one Session and draws from it; every change goes through a method here, so
the rules (what an edit does, what undo restores, what a fit is computed from) are tested with
plain pytest (tests/test_session.py). A fit is computed from a :class:`FitJob`, a frozen snapshot
taken on the UI thread, so the worker thread never reads state that the next keystroke changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from paramtui.engine.architecture import Architecture
from paramtui.engine.params import ParamBreakdown, count_params
from paramtui.engine.simple import SimpleMoe
from paramtui.engine.units import parse_count, parse_tokens
from paramtui.presets import gpu_presets
from paramtui.tui.fields import FieldSpec, apply, current_value, field_spec, parse, toggle_section

if TYPE_CHECKING:
    from paramtui.engine.adapters.live import LiveMachine
    from paramtui.engine.adapters.sources import LoadedSource
    from paramtui.engine.analysis import Analysis, Request
    from paramtui.engine.curves import Curves
    from paramtui.engine.hardware import Hardware
    from paramtui.engine.options import Option

WORKLOAD_FIELDS = ("gpu", "precision", "kv_dtype", "context", "batch", "runtime")
"""Inputs that shape the request rather than the architecture."""

SIMPLE_FIELDS = (
    ("num_experts", "experts"),
    ("expert_params", "params/expert"),
    ("top_k", "top-k"),
    ("shared_params", "shared params"),
)
"""Simple mode's inputs: (SimpleMoe field, label)."""


@dataclass(frozen=True, slots=True)
class WorkloadText:
    """The workload inputs as typed; turned into an engine Request for each fit."""

    gpu: str = "live"
    """``live``, a GPU preset, ``NxPRESET`` or a custom ``mem=...`` spec."""
    precision: str = "auto"
    """Weights precision or ``auto``."""
    kv_dtype: str = "auto"
    """KV cache dtype or ``auto``."""
    context: str = ""
    """Tokens per sequence (``32k`` = 32,768); empty for min(8192, the model's maximum)."""
    batch: str = "1"
    """Concurrent sequences."""
    runtime: str = ""
    """A runtime id from engine.runtimes.RUNTIMES; empty for the default."""


def request_of(workload: WorkloadText) -> Request:
    """The engine request for a workload as typed.

    Raises:
        ValueError: a context or batch that is not a count (one line).
    """
    from paramtui.engine.analysis import Request
    from paramtui.engine.fit import PlanOptions

    batch = workload.batch.strip().replace("_", "")
    if batch and not batch.isdigit():
        raise ValueError(f"batch takes a whole number, not {workload.batch.strip()!r}")
    return Request(
        workload.precision.strip() or "auto",
        workload.kv_dtype.strip() or "auto",
        parse_tokens(workload.context) if workload.context.strip() else None,
        int(batch or 1),
        workload.runtime.strip() or None,
        PlanOptions(),
    )


@dataclass(frozen=True, slots=True)
class FitJob:
    """Everything one fit computation reads, frozen on the UI thread for the worker."""

    arch: Architecture
    """The model as edited."""
    breakdown: ParamBreakdown
    """Its parameters (already counted for the bars)."""
    workload: WorkloadText
    """The workload as typed."""
    host: Hardware | None
    """This machine as last read (None before the first reading)."""
    live_state: str
    """Why there is no live reading yet, or the NVML state."""
    gpus_off: frozenset[int]
    """Live GPUs the user switched off."""
    loaded: LoadedSource
    """The source the model came from (its checkpoint's exact bytes hold while unedited)."""
    pinned: Architecture | None
    """The pinned model of compare mode."""
    repo: str = ""
    """What the launch lines name as the model ("" for the loaded source's repo)."""


@dataclass(frozen=True, slots=True)
class FitResult:
    """A finished fit: the analysis, the pinned model's, and the target as a line."""

    analysis: Analysis
    """The current model's memory, fit and speed."""
    target: str
    """The hardware planned on, in words ("live (nvml): GPU 1 NVIDIA GeForce RTX 4090")."""
    pinned: Analysis | None = None
    """The pinned model's, in compare mode."""
    options: tuple[Option, ...] = ()
    """Other setups with their verdict, speed and command (engine.options)."""
    launch: str = ""
    """The command that runs the plan ("" when it does not fit)."""
    curves: Curves | None = None
    """Speed and memory against context for the plan (engine.curves); None without hardware."""

    @property
    def command(self) -> str:
        """What the copy key copies: the plan's command, else the fastest option that fits."""
        if self.launch:
            return self.launch
        return next((o.launch for o in self.options if o.verdict != "does_not_fit" and o.launch), "")


def resolve_target(job: FitJob) -> tuple[Hardware | None, str]:
    """The hardware of a job and the line that names it (engine.hardware.resolve_hardware decides)."""
    from paramtui.engine.hardware import Hardware, resolve_hardware

    target = job.workload.gpu.strip() or "live"
    live = target.lower() == "live"
    if live and job.host is None:
        return None, f"live: {job.live_state}"
    host = job.host if job.host is not None else Hardware((), "none")
    select = [i for i in range(len(host.gpus)) if i not in job.gpus_off] if live else None
    hardware = resolve_hardware(target, gpu_presets(), host, select)
    if not live:
        return hardware, f"{hardware.source}: {target}"
    if not host.gpus:
        return hardware, f"live: {job.live_state}"
    if not hardware.gpus:
        return hardware, "live: every GPU switched off (hardware pane: space or a digit switches one on)"
    names = ", ".join(f"GPU {g.id.removeprefix('nvml:')} {g.name}" for g in hardware.gpus)
    return hardware, f"live ({host.source}): {names}"


def compute_fit(job: FitJob) -> FitResult:
    """Memory, fit, speed, options and curves of a job (run on a worker thread; about 0.1 s for
    DeepSeek-V3, most of it the options' search).

    Raises:
        ValueError: a bad precision, runtime, context or GPU target (one line).
    """
    from paramtui.engine.analysis import analyze
    from paramtui.engine.curves import compute_curves
    from paramtui.engine.options import launch_for, options_for
    from paramtui.tui.report import launch_repo

    if job.host is None and (job.workload.gpu.strip() or "live").lower() != "live":
        from paramtui.engine.adapters.live import host_hardware

        job = replace(job, host=host_hardware())  # the RAM a preset is planned with, as in the CLI
    hardware, label = resolve_target(job)
    request = request_of(job.workload)
    loaded = job.loaded
    exact = loaded.result.architecture == job.arch  # the checkpoint's bytes hold until the model is edited
    checkpoint = loaded.checkpoint if exact else None
    precision = loaded.checkpoint_precision if exact else None
    analysis = analyze(job.arch, request, hardware, job.breakdown, checkpoint, precision)
    other = analyze(job.pinned, request, hardware, count_params(job.pinned)) if job.pinned is not None else None
    options: tuple[Option, ...] = ()
    launch = ""
    if analysis.fit is not None:
        repo = job.repo or launch_repo(loaded)
        options = options_for(analysis, gpu_presets(), repo, precision)
        if analysis.fit.verdict != "does_not_fit":
            launch = launch_for(analysis, repo, precision)
    # 8 contexts and a few concurrencies: 1-10 ms beside the options' ~0.1 s, on this same thread
    curves = compute_curves(analysis) if job.arch.model_type != "toy_moe" else None
    return FitResult(analysis, label, other, options, launch, curves)


@dataclass
class Session:
    """The dashboard's state; changed only through its methods."""

    loaded: LoadedSource
    """The source last loaded (reset goes back to it)."""
    workload: WorkloadText = field(default_factory=WorkloadText)
    """The workload as typed."""
    arch: Architecture = field(init=False)
    """The model as edited."""
    breakdown: ParamBreakdown = field(init=False)
    """Its parameters."""
    simple_model: SimpleMoe = field(default_factory=SimpleMoe)
    """The simple-mode model; kept while the full editor shows, so coming back finds it."""
    simple: bool = False
    """Whether simple mode is on."""
    pinned: tuple[Architecture, ParamBreakdown] | None = None
    """The model pinned for compare mode."""
    gpus_off: frozenset[int] = frozenset()
    """Live GPUs the plan leaves out (the hardware pane's toggles, like ``--gpus``)."""
    machine: LiveMachine | None = None
    """This machine as last read."""
    live_state: str = "reading GPUs..."
    """Why there is no live reading (yet)."""
    _undo: list[Architecture] = field(default_factory=list)
    _redo: list[Architecture] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.arch = self.loaded.result.architecture
        self.breakdown = self.loaded.breakdown

    # --- the model -------------------------------------------------------------------------

    def commit(self, arch: Architecture) -> bool:
        """Make ``arch`` the current model (undoable); False when nothing changed."""
        if arch == self.arch:
            return False
        self._undo.append(self.arch)
        self._redo.clear()
        self._set(arch)
        return True

    def _set(self, arch: Architecture) -> None:
        self.arch = arch
        loaded = self.loaded
        # an unmapped architecture's header counts hold until the model is edited
        self.breakdown = loaded.breakdown if arch == loaded.result.architecture else count_params(arch)

    def undo(self) -> bool:
        """Back one edit; False when there is none."""
        if not self._undo:
            return False
        self._redo.append(self.arch)
        self._set(self._undo.pop())
        return True

    def redo(self) -> bool:
        """Forward one undone edit; False when there is none."""
        if not self._redo:
            return False
        self._undo.append(self.arch)
        self._set(self._redo.pop())
        return True

    def reset(self) -> bool:
        """Back to the loaded model (undoable)."""
        return self.commit(self.loaded.result.architecture)

    def load(self, loaded: LoadedSource) -> bool:
        """A newly loaded source becomes the model (undoable)."""
        self.loaded = loaded
        return self.commit(loaded.result.architecture)

    @property
    def edited(self) -> bool:
        """The model differs from what was loaded (the autosave holds it)."""
        return self.arch != self.loaded.result.architecture

    # --- typing ----------------------------------------------------------------------------

    def edit(self, path: str, text: str) -> str:
        """Apply what was typed into the field at ``path``; returns what changed.

        ``w.NAME`` is a workload field, ``m.NAME`` a simple-mode field, ``s.SECTION`` a section
        switch, anything else an architecture field. Returns ``workload``, ``simple``, ``section``,
        ``arch`` or ``""`` (nothing changed).

        Raises:
            ValueError: the text is refused (one line naming the field and what it takes).
        """
        if path.startswith("w."):
            return "workload" if self.set_workload(path[2:], text) else ""
        if path.startswith("m."):
            return "simple" if self._set_simple(path[2:], text) else ""
        if path.startswith("s."):
            on = parse(FieldSpec(path, "bool"), text, None)
            return "section" if self.commit(toggle_section(self.arch, path[2:], on)) else ""
        spec = field_spec(path)
        value = parse(spec, text, current_value(self.arch, path))
        return "arch" if self.commit(apply(self.arch, path, value)) else ""

    def set_workload(self, name: str, text: str) -> bool:
        """Set one workload field, checked first (a bad context, batch or GPU target raises)."""
        text = text.strip()
        workload = replace(self.workload, **{name: text})
        if name in ("context", "batch"):
            request_of(workload)  # raises with the reason
        if name == "gpu" and text and text.lower() != "live":
            from paramtui.engine.hardware import parse_gpu_spec

            parse_gpu_spec(text, gpu_presets())  # raises with the reason
        if workload == self.workload:
            return False
        self.workload = workload
        return True

    def _set_simple(self, name: str, text: str) -> bool:
        number = parse_count(text) if "params" in name else int(parse_count(text))
        model = replace(self.simple_model, **{name: number})  # validates
        if model == self.simple_model:
            return False
        self.simple_model = model
        return True

    # --- modes -----------------------------------------------------------------------------

    def toggle_simple(self) -> bool:
        """Simple mode on or off; the simple model is kept either way. Returns the new mode."""
        self.simple = not self.simple
        return self.simple

    def toggle_pin(self) -> bool:
        """Pin the current model, or unpin. Returns whether a model is pinned now."""
        self.pinned = None if self.pinned is not None else (self.arch, self.breakdown)
        return self.pinned is not None

    def toggle_gpu(self, index: int) -> bool:
        """Leave a live GPU out of the plan, or take it back. Returns whether it is used now."""
        self.gpus_off = self.gpus_off ^ {index}
        return index not in self.gpus_off

    def gpu_used(self, index: int) -> bool:
        """Whether the plan may use live GPU ``index``."""
        return index not in self.gpus_off

    # --- the fit ---------------------------------------------------------------------------

    @property
    def live(self) -> bool:
        """The plan is for this machine's GPUs (not a preset or custom spec)."""
        return (self.workload.gpu.strip() or "live").lower() == "live"

    def simple_job(self) -> tuple[FitJob, str]:
        """The fit job of simple mode's toy (given Llama-70B-like layers) and the line saying so."""
        from paramtui.engine.simple import simple_architecture

        arch, note = simple_architecture(self.simple_model)
        job = replace(self.fit_job(), arch=arch, breakdown=count_params(arch), pinned=None, repo="YOUR/MODEL")
        return job, note

    def fit_job(self) -> FitJob:
        """A frozen snapshot of what the fit reads, for a worker thread."""
        pinned = self.pinned[0] if self.pinned is not None else None
        host = self.machine.hardware if self.machine is not None else None
        return FitJob(
            self.arch, self.breakdown, self.workload, host, self.live_state, self.gpus_off, self.loaded, pinned
        )
