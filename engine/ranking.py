"""Every candidate model ranked by how well it runs on one machine: ``paramtui fits`` and the fits screen.

Each row is the answer ``inspect`` gives for that model on the same hardware and request (the
same :func:`~paramtui.engine.analysis.analyze` call), so the list and the single-model view never
disagree. Work is shared across models through the caches of the weight estimate and the tensor
inventory (:mod:`paramtui.engine.precision`, :mod:`paramtui.engine.tensors`); the options (what
would hold a model that does not fit) are searched only for the models that do not fit, where they
say how near the miss is.

Order: the models that fit, fastest decode first; then those that fit with CPU offload, fastest
first; then the near misses (they fit here at a lower precision, or on more of the same GPU: the
fewest extra GPUs first); then the rest, smallest shortfall first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from paramtui.engine.analysis import Analysis, Request, analyze
from paramtui.engine.architecture import Architecture
from paramtui.engine.checkpoint import CheckpointSummary
from paramtui.engine.hardware import GpuSpec, Hardware
from paramtui.engine.options import Option, launch_for, options_for
from paramtui.engine.params import ParamBreakdown
from paramtui.engine.placement import usable_positions
from paramtui.engine.units import format_bytes

Group = Literal["fits", "offload", "near", "no"]
"""Where a row sorts: fits, fits with offload, near miss, does not fit."""

GROUP_ORDER: Mapping[Group, int] = {"fits": 0, "offload": 1, "near": 2, "no": 3}
"""The groups in the order the list shows them."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One model the list considers, with what ``inspect`` would load for it."""

    key: str
    """What ``paramtui inspect`` takes for it: a preset id, a path or a Hub repo id (unique in a list)."""
    name: str
    """Display name."""
    arch: Architecture
    """The architecture."""
    breakdown: ParamBreakdown
    """Its parameters (counted from the checkpoint's headers where they were read)."""
    checkpoint: CheckpointSummary | None = None
    """Exact facts from the weight files' headers, when they were read."""
    checkpoint_precision: str | None = None
    """The checkpoint's own precision (quantization_config), when known."""
    repo: str = ""
    """The model as an engine is told to load it (launch lines)."""
    origin: Literal["preset", "saved", "recent"] = "preset"
    """Where the candidate came from."""

    @property
    def words(self) -> str:
        """What ``--family`` and the dashboard's filter match against, lower case."""
        return " ".join((self.key, self.name, self.arch.model_type, self.repo)).lower()


@dataclass(frozen=True, slots=True)
class Filters:
    """Which rows to keep; None / False keeps everything."""

    kind: Literal["moe", "dense"] | None = None
    """Only mixture-of-experts or only dense models."""
    min_context: int | None = None
    """Only models whose largest context that fits here is at least this many tokens."""
    family: str | None = None
    """Only models whose id, name, model_type or repo contains this (case-insensitive)."""
    max_params: int | None = None
    """Only models with at most this many stored parameters."""
    fits_only: bool = False
    """Only models that fit (with or without CPU offload)."""

    def keeps_model(self, candidate: Candidate) -> bool:
        """The filters that need no fit (checked before the fit is computed)."""
        if self.kind is not None and candidate.arch.kind != self.kind:
            return False
        if self.family and self.family.strip().lower() not in candidate.words:
            return False
        return self.max_params is None or candidate.breakdown.total <= self.max_params

    def keeps_row(self, row: FitRow) -> bool:
        """The filters on the fit."""
        if self.fits_only and row.group not in ("fits", "offload"):
            return False
        return self.min_context is None or row.max_context >= self.min_context


@dataclass(frozen=True, slots=True)
class FitRow:
    """One model on this hardware: inspect's analysis plus where it ranks and why."""

    candidate: Candidate
    """The model."""
    analysis: Analysis
    """Memory, fit and speed, exactly as ``inspect`` computes them."""
    group: Group
    """Fits, fits with offload, near miss, or does not fit."""
    near_miss: str
    """For a model that does not fit: how near it is ("fits at fp8", "needs 1 more GPU",
    "short by 12.3 GiB"); "" for one that fits."""
    extra_gpus: int = 0
    """More GPUs of this kind that would hold it (0 when it fits here or more GPUs do not help)."""
    near_option: Option | None = None
    """The setup the near miss names (the lower precision, the more GPUs), else the fastest that
    holds it; None when it fits here or nothing found holds it."""
    options: tuple[Option, ...] = ()
    """What would hold it (engine.options), searched only when it does not fit here."""
    launch: str = ""
    """The command that runs the plan ("" when it does not fit)."""

    @property
    def decode_tokens_per_s(self) -> float:
        """Decode at one request, 0 when there is no speed (does not fit, bandwidth unknown)."""
        speed = self.analysis.speed
        return speed.decode_tokens_per_s if speed is not None else 0.0

    @property
    def prefill_tokens_per_s(self) -> float:
        """Prefill, 0 when unknown."""
        speed = self.analysis.speed
        return speed.prefill_tokens_per_s or 0.0 if speed is not None else 0.0

    @property
    def max_context(self) -> int:
        """Largest context that fits with the plan (0 when it does not fit)."""
        fit = self.analysis.fit
        return fit.max_context if fit is not None else 0

    @property
    def fullest_device_bytes(self) -> int:
        """Bytes on the fullest GPU of the plan (weights, KV cache and overhead)."""
        fit = self.analysis.fit
        return max((d.total_bytes for d in fit.attempt.devices), default=0) if fit is not None else 0

    @property
    def shortfall_bytes(self) -> int:
        """How far the closest plan is over budget on its fullest GPU (0 when it fits)."""
        fit = self.analysis.fit
        return max(0, -fit.attempt.headroom_bytes) if fit is not None else 0

    def sort_key(self) -> tuple[int, float, str]:
        """Group first; within it the fastest decode, the fewest extra GPUs or the smallest shortfall."""
        within: float
        if self.group in ("fits", "offload"):
            within = -self.decode_tokens_per_s
        elif self.group == "near":
            within = self.extra_gpus
        else:
            within = self.shortfall_bytes
        return GROUP_ORDER[self.group], within, self.candidate.name.lower()


@dataclass(frozen=True, slots=True)
class _Miss:
    group: Group
    why: str
    extra_gpus: int = 0
    option: Option | None = None


def _near_miss(analysis: Analysis, options: tuple[Option, ...]) -> _Miss:
    """How near a model that does not fit is: a lower precision here, more of the same GPU, or neither.

    With it, the option that says how fast it would then run (the fastest that fits when neither).
    """
    fit, hardware = analysis.fit, analysis.hardware
    if fit is None or hardware is None:
        return _Miss("no", "no GPU")
    fitting = [o for o in options if o.verdict == "fits"]
    if fit.best_precision is not None:
        lower = next((o for o in fitting if o.kind == "lower precision"), None)
        return _Miss("near", f"fits at {fit.best_precision}", 0, lower)
    here = len(usable_positions(hardware))
    name = hardware.gpus[0].name
    more = [o for o in fitting if o.gpu == name and o.nodes == 1 and o.count > here and o.offload == "none"]
    if more:
        option = min(more, key=lambda o: o.count)
        extra = option.count - here
        return _Miss("near", f"needs {extra} more GPU{'s' if extra > 1 else ''}", extra, option)
    best = fitting[0] if fitting else None
    if fit.reasons and fit.attempt.headroom_bytes >= 0:
        return _Miss("no", fit.reasons[-1], 0, best)  # a problem other than memory (heads do not divide, RAM)
    return _Miss("no", f"short by {format_bytes(max(0, -fit.attempt.headroom_bytes), 1)}", 0, best)


def fit_row(candidate: Candidate, request: Request, hardware: Hardware, presets: Mapping[str, GpuSpec]) -> FitRow:
    """One model's row: ``inspect``'s analysis, its launch line or (when it does not fit) its options.

    Raises:
        ValueError: the request does not apply to this model (one line).
    """
    analysis = analyze(
        candidate.arch,
        request,
        hardware,
        candidate.breakdown,
        candidate.checkpoint,
        candidate.checkpoint_precision,
    )
    fit = analysis.fit
    if fit is None:
        return FitRow(candidate, analysis, "no", "no GPU")
    repo = candidate.repo or candidate.key
    if fit.verdict == "does_not_fit":
        options = options_for(analysis, presets, repo, candidate.checkpoint_precision)
        miss = _near_miss(analysis, options)
        return FitRow(candidate, analysis, miss.group, miss.why, miss.extra_gpus, miss.option, options)
    group: Group = "fits" if fit.verdict == "fits" else "offload"
    launch = launch_for(analysis, repo, candidate.checkpoint_precision)
    return FitRow(candidate, analysis, group, "", 0, None, (), launch)


@dataclass(frozen=True, slots=True)
class Ranking:
    """The ranked rows, and the models left out because the request does not apply to them."""

    rows: tuple[FitRow, ...]
    """Kept rows in rank order."""
    skipped: tuple[tuple[str, str], ...] = ()
    """(candidate key, one-line reason) for models whose fit raised."""


def rank(
    candidates: Iterable[Candidate],
    request: Request,
    hardware: Hardware,
    presets: Mapping[str, GpuSpec],
    filters: Filters | None = None,
) -> Ranking:
    """Every candidate on ``hardware`` under ``request``, filtered and in rank order (module docstring).

    Args:
        candidates: the models (presets, saved models, recently read repos).
        request: context, runtime and the rest, as ``inspect`` takes them; ``precision`` is usually
            ``auto`` (each model's own).
        hardware: the GPUs (at least one) and RAM.
        presets: the GPU presets the options may suggest.
        filters: which rows to keep.
    """
    filters = filters or Filters()
    rows: list[FitRow] = []
    skipped: list[tuple[str, str]] = []
    for candidate in candidates:
        if not filters.keeps_model(candidate):
            continue
        try:
            row = fit_row(candidate, request, hardware, presets)
        except ValueError as exc:
            skipped.append((candidate.key, str(exc)))
            continue
        if filters.keeps_row(row):
            rows.append(row)
    rows.sort(key=FitRow.sort_key)
    return Ranking(tuple(rows), tuple(skipped))
