"""Time to first token under vLLM and SGLang: the public rows, the fitted constants, a row never fitted on.

Why: the serving engines' prefill model (issue 16) is calibrated on ``benchmarks/serving_prefill.csv``.
A row that names a model or GPU paramtui cannot build would silently drop out of the fit; constants
in ``presets/data/speed_calibration.json`` that the CSV no longer gives would make the printed band
a fiction. The held-out row checks the shipped constants against a measurement they were not fitted on.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from paramtui.engine.hardware import parse_gpu_spec
from paramtui.engine.precision import SAFETENSORS_PRECISIONS
from paramtui.presets import all_presets, gpu_presets, speed_calibration

BENCH = Path(__file__).parents[1] / "benchmarks"
HEADER = "gpu,model,precision,runtime,runtime_version,tp,ep,prompt_tokens,batch,ttft_ms,metric,source,note".split(",")  # noqa: SIM905 - the header as it reads in the file


def _rows(name: str) -> list[dict[str, str]]:
    with (BENCH / name).open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == HEADER
        return list(reader)


ROWS = _rows("serving_prefill.csv")
HELDOUT = _rows("serving_prefill_heldout.csv")


def test_coverage() -> None:
    """Both engines, mostly one request at a time, several GPU kinds and multi-GPU plans."""
    assert len(ROWS) >= 40
    assert sum(int(r["batch"]) == 1 for r in ROWS) >= 25
    assert {r["runtime"] for r in ROWS} == {"vllm", "sglang"}
    assert len({parse_gpu_spec(r["gpu"], gpu_presets())[0][0].id for r in ROWS}) >= 4
    assert sum(len(parse_gpu_spec(r["gpu"], gpu_presets())[0]) >= 4 for r in ROWS) >= 15
    assert not {r["model"] for r in HELDOUT} & {r["model"] for r in ROWS}, "the held-out model is never fitted on"


@pytest.mark.parametrize(
    "row", ROWS + HELDOUT, ids=[f"{r['model']}@{r['gpu']}:{r['prompt_tokens']}" for r in ROWS + HELDOUT]
)
def test_row_is_buildable_and_sourced(row: dict[str, str]) -> None:
    assert row["model"] in all_presets()
    gpus, _ = parse_gpu_spec(row["gpu"], gpu_presets())
    assert int(row["tp"]) <= len(gpus)
    assert row["precision"] in SAFETENSORS_PRECISIONS
    assert row["runtime"] in ("vllm", "sglang")
    assert row["metric"] in ("ttft_median", "ttft_mean")
    assert row["source"].startswith("https://")
    assert int(row["prompt_tokens"]) > 0 and int(row["batch"]) >= 1 and float(row["ttft_ms"]) > 0
    printed = re.search(r"Median TTFT ([0-9.]+) ms", row["note"])
    if printed and row["metric"] == "ttft_median":
        assert float(printed.group(1)) == pytest.approx(float(row["ttft_ms"]))


def test_stored_ttft_constants_are_what_the_rows_give() -> None:
    """benchmarks/calibrate.py refits the prefill constants from serving_prefill.csv; the shipped JSON
    must hold exactly those, and each engine's TTFT band must be its leave-one-model-out p90."""
    import calibrate

    shipped = speed_calibration()
    refit, _ = calibrate.report_ttft(shipped)
    for key, constants in refit.serving.items():
        stored = shipped.serving[key]
        got = (stored.compute, stored.moe_compute, stored.prefill_launch_s, stored.request_s, stored.ttft_band)
        want = (
            constants.compute,
            constants.moe_compute,
            constants.prefill_launch_s,
            constants.request_s,
            constants.ttft_band,
        )
        assert got == pytest.approx(want), key


def test_kimi_k2_never_fitted_on() -> None:
    """SGLang 0.5.6.post1 cookbook (sgl-project/sglang docs_new/cookbook/autoregressive/Moonshotai/Kimi-K2.mdx
    at 2f5c42d): Kimi-K2-Instruct on 8x B200, ShareGPT at concurrency 1, 195 input tokens per prompt,
    median TTFT 158.28 ms. The shipped constants, fitted without Kimi K2, must land inside the band
    they print (SGLang's TTFT band, its leave-one-model-out p90), and within 30% (-24% when written)."""
    import calibrate

    cal = speed_calibration()
    (case,) = calibrate.ttft_cases(calibrate.SERVING_PREFILL_HELDOUT_CSV)
    (predicted,) = calibrate.predict_ttft([case], cal)
    assert case.measured_s == pytest.approx(0.15828)
    assert predicted == pytest.approx(0.15828, rel=min(0.3, cal.serving[("sglang", "nvidia")].ttft_band))


def _inspect(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    from paramtui.tui.cli import main

    assert main(["inspect", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["speed"]


def test_json_ttft_and_basis_name_the_terms(capsys: pytest.CaptureFixture[str]) -> None:
    """SGLang prefills eagerly: the basis names the kernels outside CUDA graphs and the request time."""
    speed = _inspect(capsys, "qwen3-8b", "--gpu", "h100-sxm", "--runtime", "sglang", "--context", "4096")
    assert 0.01 < speed["ttft_s"] < 2.0
    assert "first token" in speed["basis"] and "outside CUDA graphs" in speed["basis"] and "request" in speed["basis"]


def test_vllm_prefill_replays_graphs_up_to_512_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    """vLLM V1 captures piecewise CUDA graphs up to 512 tokens (CompilationConfig.max_capture_size):
    one token more and the pass pays host time per kernel, a step in the time to first token."""
    short = _inspect(capsys, "qwen3-8b", "--gpu", "h100-sxm", "--runtime", "vllm", "--context", "512")
    long = _inspect(capsys, "qwen3-8b", "--gpu", "h100-sxm", "--runtime", "vllm", "--context", "513")
    assert "CUDA graph" in short["basis"] and "outside CUDA graphs" in long["basis"]
    assert long["ttft_s"] > short["ttft_s"] + 0.005


def test_interference_follows_the_engine_groups() -> None:
    """Engines grouped in calibrate.INTERFERENCE_GROUPS share one prefill-decode interference factor
    (data, not code); tests/test_serving.py refits it from the CSVs."""
    from calibrate import INTERFERENCE_GROUPS

    cal = speed_calibration()
    for group in INTERFERENCE_GROUPS:
        factors = {
            cal.serving[(engine, vendor)].prefill_interference for engine in group for vendor in ("nvidia", "amd")
        }
        assert len(factors) == 1, (group, factors)


def test_more_requests_never_lower_the_total_on_an_8k_workload(capsys: pytest.CaptureFixture[str]) -> None:
    """gpt-oss-20b on one RTX 4090 under vLLM, 7,680-token prompts and 512 output tokens: four requests
    together produce more tokens per second than one (the interference factor stays physical)."""
    one, four = (
        _inspect(capsys, "gpt-oss-20b", "--gpu", "rtx-4090", "--runtime", "vllm", "--batch", str(b)) for b in (1, 4)
    )
    assert four["total_tokens_per_s"] > one["total_tokens_per_s"]


def test_many_requests_are_never_slower_in_total_than_one_after_another(capsys: pytest.CaptureFixture[str]) -> None:
    """64 requests of 7,680-token prompts on one RTX 4090: the fitted interference (its rows' prompts are
    at most 3,200 tokens) would give them 116 tok/s in total, less than serving them one by one, each
    prompt's pass then 512 tokens at the one-request step (about 128 tok/s). The figure is held there
    and the load line says so."""
    speed = _inspect(capsys, "gpt-oss-20b", "--gpu", "rtx-4090", "--runtime", "vllm", "--batch", "64")
    assert "served one after another" in speed["load_basis"]
    held = float(speed["load_basis"].split("held at ")[1].split(" tok/s")[0].replace(",", ""))
    assert speed["total_tokens_per_s"] == pytest.approx(held, rel=1e-3)


def test_offloaded_weights_stream_every_pass_and_the_rate_leaves_the_request_out() -> None:
    """Weights in host memory cross to the GPU each pass; the prefill rate is the pass's, the TTFT adds
    the request's own time (so a prompt's rate does not shrink with the HTTP round trip)."""
    from paramtui.engine.serving import ServingPrefill

    base = ServingPrefill(
        tokens=1000,
        flops=1e15,
        peak_flops=1e15,
        compute_share=0.5,
        weights_s=0.01,
        kernels=1000,
        launch_s=20e-6,
        collective_s=0.0,
        request_s=0.02,
    )
    assert base.gpu_s == pytest.approx(2.0 + 0.02)
    assert base.seconds == pytest.approx(base.gpu_s + 0.02)
    offloaded = ServingPrefill(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, "offload_s": 0.5})
    assert offloaded.gpu_s == pytest.approx(base.gpu_s + 0.5)
    assert "offloaded weights from RAM 500.0 ms" in offloaded.describe()


def test_ttft_includes_the_request_the_prefill_rate_does_not(capsys: pytest.CaptureFixture[str]) -> None:
    speed = _inspect(capsys, "qwen3-8b", "--gpu", "h100-sxm", "--runtime", "vllm", "--context", "4096")
    request_s = speed_calibration().serving[("vllm", "nvidia")].request_s
    assert speed["ttft_s"] == pytest.approx(4096 / speed["prefill_tokens_per_s"] + request_s, abs=1e-3)
