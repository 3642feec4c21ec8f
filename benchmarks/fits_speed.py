"""How long ``paramtui fits`` takes to rank every preset on the recorded H100 reading (target: under 1 s).

Run: ``python benchmarks/fits_speed.py [RUNS]``. The GPU is the recorded NVIDIA H100 80GB HBM3
(tests/data/nvml/h100_sxm.json, answered through the tests' fake NVML); RAM and CPU are this
machine's. Each run starts from empty caches (the weight estimates and tensor inventories that
the ranking shares across models, engine/precision.py and engine/tensors.py) and times what the
command does after its imports: read the candidates, read the GPUs, rank them. A second figure is
the same ranking with the caches warm, which is what the dashboard's fits screen pays when a new
GPU reading arrives. Prints the median and the slowest of each; exits 1 when the cold median is
over the target.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_gpus import install

TARGET_S = 1.0
"""Issue 22: the whole list for 40 models in under 1 s."""


def _clear_caches() -> None:
    from paramtui.engine import options, precision, tensors

    precision.estimate_weights.cache_clear()
    tensors.tensor_inventory.cache_clear()
    for value in vars(options).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def _once() -> tuple[float, int]:
    from paramtui.engine.adapters.candidates import gather_candidates
    from paramtui.engine.adapters.live import probe_machine
    from paramtui.engine.analysis import Request
    from paramtui.engine.hardware import resolve_hardware
    from paramtui.engine.ranking import rank
    from paramtui.presets import gpu_presets

    start = time.perf_counter()
    found = gather_candidates()
    machine = probe_machine()
    hardware = resolve_hardware("live", gpu_presets(), machine.hardware)
    ranking = rank(found.candidates, Request(), hardware, gpu_presets())
    return time.perf_counter() - start, len(ranking.rows)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    install("h100_sxm")
    _once()  # imports and the presets' JSON, once per process like the command's start-up
    cold, warm = [], []
    models = 0
    for _ in range(runs):
        _clear_caches()
        seconds, models = _once()
        cold.append(seconds)
        warm.append(_once()[0])
    print(f"{models} models on 1 x NVIDIA H100 80GB HBM3 (recorded NVML reading), {runs} runs")
    print(f"cold caches: median {statistics.median(cold):.3f} s, slowest {max(cold):.3f} s (target {TARGET_S} s)")
    print(f"warm caches: median {statistics.median(warm):.3f} s, slowest {max(warm):.3f} s")
    return 0 if statistics.median(cold) < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
