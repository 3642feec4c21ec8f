"""Turn llama-bench JSON lines from benchmarks/llama_bench_synth.sh into decode.csv / prefill.csv rows.

Run: ``python benchmarks/bench_rows.py RUN_DIR`` prints the rows (decode first, then prefill,
separated by a blank line) for the ``bench.jsonl`` in RUN_DIR; paste them into the CSVs. A decode
row's context is the depth plus half the generated tokens (the mean KV length while they are
generated); a prefill row's prompt_tokens is the depth plus the prompt.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

GPU = "h100-sxm"
VERSION = "llama.cpp 0c1e57098 (vendored in llama-cpp-python 0.3.36), CUDA sm_90"
SOURCE = (
    "benchmarks/llama_bench_synth.sh on a lent NVIDIA H100 80GB HBM3 SXM (Firecracker VM, 16-core Xeon), "
    "2026-11-22; raw output in {path}"
)


def rows(path: Path) -> tuple[str, str]:
    """(decode rows, prefill rows) as CSV text."""
    decode, prefill = io.StringIO(), io.StringIO()
    write_decode = csv.writer(decode, lineterminator="\n")
    write_prefill = csv.writer(prefill, lineterminator="\n")
    source = SOURCE.format(path=path)
    for line in path.read_text().splitlines():
        run = json.loads(line)
        preset, quant = run["synthetic_id"].split(":")
        samples = ", ".join(f"{x:.1f}" for x in run["samples_ts"])
        how = (
            "synthetic GGUF (benchmarks/synth_gguf.py: real tensor layout and types, filler values), "
            f"-ngl 99 -fa on, depth {run['n_depth']}"
        )
        if run["n_gen"]:
            context = run["n_depth"] + run["n_gen"] // 2
            note = f"{how}, tg{run['n_gen']}, mean of 3 ({samples}); context = depth + half of tg"
            write_decode.writerow(
                [GPU, preset, quant, "llama.cpp", VERSION, context, 1, round(run["avg_ts"], 1), source, note]
            )
        else:
            tokens = run["n_depth"] + run["n_prompt"]
            note = f"{how}, pp{run['n_prompt']}, mean of 3 ({samples}); prompt_tokens = depth + pp"
            write_prefill.writerow(
                [GPU, preset, quant, "llama.cpp", VERSION, tokens, round(run["avg_ts"]), source, note]
            )
    return decode.getvalue(), prefill.getvalue()


def main() -> int:
    """CLI: RUN_DIR."""
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    decode, prefill = rows(Path(sys.argv[1]) / "bench.jsonl")
    print(decode)
    print(prefill, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
