"""The NVML probe on recorded readings of real GPUs (sources in tests/data/nvml/*.json).

Expected bandwidths are the datasheet figures of the GPU presets (H100 SXM 3.35 TB/s, A100 80GB
SXM 2.039 TB/s, RTX 4090 1.008 TB/s); the probe derives them from bus width and memory clock.
"""

from __future__ import annotations

import json

import pynvml
import pytest

from paramtui.engine.adapters.live import hardware_from, probe_machine
from paramtui.engine.adapters.nvml import poll, read_gpus
from paramtui.engine.adapters.system import RamReading
from paramtui.tui.cli import main
from tests.fake_nvml import MIB, FakeNvml, install, load_reading

NO_ENV: dict[str, str] = {}


def fake(monkeypatch: pytest.MonkeyPatch, name: str, **kwargs: object) -> FakeNvml:
    return install(monkeypatch, FakeNvml(load_reading(name), **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reading", "preset", "bandwidth"),
    [
        ("h100_sxm", "h100-sxm", 3.352e12),
        ("a100_80gb", "a100-sxm-80gb", 2.039e12),
        ("rtx_4090", "rtx-4090", 1.008e12),
        # recorded on a real H200 this project was lent: NVML reports a 6016-bit bus (not 6144)
        ("h200", "h200", 4.814e12),
    ],
)
def test_bandwidth_from_bus_width_and_clock_matches_the_datasheet(
    monkeypatch: pytest.MonkeyPatch, reading: str, preset: str, bandwidth: float
) -> None:
    fake(monkeypatch, reading)
    snap = read_gpus(environ=NO_ENV)
    assert snap.ok
    gpu = snap.gpus[0]
    assert gpu.bandwidth_bytes_per_s == pytest.approx(bandwidth, rel=1e-3)
    hardware, notes = hardware_from(snap, RamReading(None, None), None)
    spec = hardware.gpus[0]
    assert hardware.source == "nvml"
    assert f"matched preset {preset}" in spec.source
    assert not any("differs" in n for n in notes[0])  # within 10% of the preset


def test_h100_reading_keeps_every_field(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "h100_sxm")
    gpu = read_gpus(environ=NO_ENV).gpus[0]
    assert gpu.name == "NVIDIA H100 80GB HBM3"
    assert gpu.uuid.startswith("GPU-b42dd28e")
    assert gpu.memory_total == 81559 * MIB
    assert gpu.memory_free == 81106 * MIB
    assert gpu.memory_reserved == 454 * MIB  # the v2 memory call
    assert gpu.compute_capability == 9.0
    assert gpu.cores == 16896
    assert gpu.max_sm_clock_mhz == 1980
    assert gpu.power_w == pytest.approx(100.89)
    assert gpu.temperature_c == 30
    assert gpu.notes == ()


def test_mig_slice_is_a_device_with_its_share_of_bandwidth_and_flops(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "a100_mig_1g10gb")
    snap = read_gpus(environ=NO_ENV)
    (mig,) = snap.gpus
    assert mig.mig_profile == "1g.10gb"
    assert mig.uuid.startswith("MIG-")
    assert mig.memory_total == 9728 * MIB
    assert mig.cores == 14 * 64  # 14 SMs of an 8.0 part
    hardware, _ = hardware_from(snap, RamReading(None, None), None)
    spec = hardware.gpus[0]
    assert spec.bandwidth_bytes_per_s == pytest.approx(2.039e12 * 9728 / 81920, rel=1e-3)
    assert spec.fp16_flops == pytest.approx(312e12 / 7, rel=1e-3)  # 1 of 7 compute slices


def test_busy_card_is_planned_with_what_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "two_4090_one_busy")
    snap = read_gpus(environ=NO_ENV)
    busy, _ = snap.gpus
    assert busy.processes[0].pid == 24007
    assert busy.processes[0].used_bytes == 18510 * MIB
    assert busy.processes[0].name == "python3"  # NVML gives the path; the directory is dropped
    hardware, _ = hardware_from(snap, RamReading(None, None), None)
    assert hardware.gpus[0].usable_bytes == 5690 * MIB
    assert hardware.gpus[1].usable_bytes == 24210 * MIB


def test_busy_card_fails_vllm_and_the_idle_one_fits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake(monkeypatch, "two_4090_one_busy")
    assert main(["inspect", "llama-3.1-8b", "--json", "--gpus", "0"]) == 0
    busy = json.loads(capsys.readouterr().out)
    assert busy["hardware"]["source"] == "nvml"
    assert busy["hardware"]["gpus"][0]["memory_free_bytes"] == 5690 * MIB
    assert busy["fit"]["verdict"] != "fits"
    assert main(["inspect", "llama-3.1-8b", "--json", "--gpus", "1"]) == 0
    idle = json.loads(capsys.readouterr().out)
    assert idle["fit"]["verdict"] == "fits"


def test_missing_bus_width_falls_back_to_the_preset_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "old_driver_no_bus_width")
    snap = read_gpus(environ=NO_ENV)
    gpu = snap.gpus[0]
    assert gpu.bus_width_bits is None
    assert gpu.memory_reserved is None  # v1 memory call
    assert gpu.memory_total == 24564 * MIB
    assert any("memory bus width: not supported" in n for n in gpu.notes)
    hardware, notes = hardware_from(snap, RamReading(None, None), None)
    assert hardware.gpus[0].bandwidth_bytes_per_s == pytest.approx(1008e9)
    assert any("bandwidth from the rtx-4090 preset" in n for n in notes[0])


def test_unified_memory_falls_back_to_system_ram(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "gb10_unified")
    monkeypatch.setattr("paramtui.engine.adapters.system.read_ram", lambda: RamReading(128 * 2**30, 100 * 2**30))
    gpu = read_gpus(environ=NO_ENV).gpus[0]
    assert gpu.unified_memory
    assert gpu.memory_total == 128 * 2**30
    assert gpu.memory_free == 100 * 2**30
    hardware, _ = hardware_from(read_gpus(environ=NO_ENV), RamReading(None, None), None)
    assert hardware.gpus[0].bandwidth_bytes_per_s == pytest.approx(273e9)  # dgx-spark preset


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (pynvml.NVMLError_LibraryNotFound, "no NVIDIA GPU found: NVML library not found"),
        (pynvml.NVMLError_DriverNotLoaded, "no NVIDIA GPU found: the NVIDIA driver is not loaded"),
        (pynvml.NVMLError_LibRmVersionMismatch, "driver/library version mismatch"),
        (pynvml.NVMLError_Unknown, "NVML unusable"),
    ],
)
def test_init_failure_is_an_explicit_state(monkeypatch: pytest.MonkeyPatch, error: type, message: str) -> None:
    fake(monkeypatch, "h100_sxm", init_error=error)
    snap = read_gpus(environ=NO_ENV)
    assert not snap.ok
    assert message in snap.state


def test_gpu_lost_between_polls_is_marked_and_the_other_keeps_updating(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = fake(monkeypatch, "two_4090_one_busy")
    first = read_gpus(environ=NO_ENV)
    backend.lost.add(first.gpus[0].uuid)
    backend.handles[first.gpus[1].uuid]["memory_mib"] = {"total": 24564, "reserved": 354, "used": 4002, "free": 20208}
    second = poll(first)
    assert second.gpus[0].lost
    assert second.gpus[0].memory_free == first.gpus[0].memory_free  # last reading kept
    assert not second.gpus[1].lost
    assert second.gpus[1].memory_free == 20208 * MIB


def test_lost_during_first_read_skips_that_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = fake(monkeypatch, "two_4090_one_busy")
    backend.lost.add("GPU-8ee5f1e0-e705-aac5-6d6e-b97ad59601ef")
    snap = read_gpus(environ=NO_ENV)
    assert [g.uuid[:12] for g in snap.gpus] == ["GPU-a4ac0a07"]
    assert any("GPU 0: unreadable" in n for n in snap.notes)


def test_an_unexpected_exception_in_a_call_becomes_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "rtx_4090")

    def broken(handle: str) -> int:
        raise RuntimeError("binding bug")

    monkeypatch.setattr(pynvml, "nvmlDeviceGetPowerUsage", broken)
    gpu = read_gpus(environ=NO_ENV).gpus[0]
    assert gpu.power_w is None
    assert "power: RuntimeError" in gpu.notes


@pytest.mark.parametrize(
    ("visible", "uuids"),
    [
        ("1", ["GPU-a4ac0a07"]),
        ("GPU-a4ac0a07", ["GPU-a4ac0a07"]),
        ("1,0", ["GPU-a4ac0a07", "GPU-8ee5f1e0"]),
        ("0,7,1", ["GPU-8ee5f1e0"]),  # CUDA stops at the first entry that matches nothing
        ("", []),
    ],
)
def test_cuda_visible_devices_is_honoured(monkeypatch: pytest.MonkeyPatch, visible: str, uuids: list[str]) -> None:
    fake(monkeypatch, "two_4090_one_busy")
    snap = read_gpus(environ={"CUDA_VISIBLE_DEVICES": visible})
    assert [g.uuid[:12] for g in snap.gpus] == uuids
    assert [g.index for g in snap.gpus] == list(range(len(uuids)))


def test_gpus_option_selects_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "two_4090_one_busy")
    snap = read_gpus(select=(1,), environ=NO_ENV)
    assert [g.uuid[:12] for g in snap.gpus] == ["GPU-a4ac0a07"]
    assert snap.gpus[0].index == 0


def test_unknown_gpu_gets_estimated_flops(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = fake(monkeypatch, "h100_sxm")
    backend.handles["GPU-b42dd28e-ffdd-8720-1df0-98bd8cdc05b1"]["name"] = "NVIDIA H100 Engineering Sample"
    hardware, notes = hardware_from(read_gpus(environ=NO_ENV), RamReading(None, None), None)
    # 132 SMs x 1980 MHz x 4096 FLOP/clk = 1070 TFLOPS (datasheet 989 at the 1830 MHz boost clock)
    assert hardware.gpus[0].fp16_flops == pytest.approx(132 * 1980e6 * 4096)
    assert any("FLOPS estimated" in n for n in notes[0])


def test_hw_json_shape(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake(monkeypatch, "two_4090_one_busy")
    assert main(["hw", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "ok"
    assert data["driver_version"] == "550.127.05"
    first = data["gpus"][0]
    assert first["bandwidth_bytes_per_s"] == pytest.approx(1.008e12, rel=1e-3)
    assert first["processes"] == [{"pid": 24007, "used_bytes": 18510 * MIB, "name": "python3"}]
    assert data["ram_total_bytes"] > 0
    assert data["cpu"]["model"]


def test_no_gpu_hw_and_inspect_exit_zero(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake(monkeypatch, "h100_sxm", init_error=pynvml.NVMLError_LibraryNotFound)
    assert main(["hw"]) == 0
    assert "NVML library not found" in capsys.readouterr().out
    assert main(["inspect", "llama-3.1-8b", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hardware"]["source"] == "none"
    assert data["fit"] is None and data["speed"] is None


def test_probe_machine_never_raises_without_pynvml_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise pynvml.NVMLError_Uninitialized()

    monkeypatch.setattr(pynvml, "nvmlInit", missing)
    machine = probe_machine(measure_bandwidth=False)
    assert machine.hardware.source == "none"
    assert machine.snapshot.state.startswith("NVML unusable")


def test_poller_refreshes_off_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from paramtui.engine.adapters.nvml import HardwarePoller

    backend = fake(monkeypatch, "rtx_4090")
    first = read_gpus(environ=NO_ENV)
    backend.handles[first.gpus[0].uuid]["memory_mib"] = {"total": 24564, "reserved": 354, "used": 8002, "free": 16208}
    seen: list[tuple[int | None, str]] = []
    done = threading.Event()

    def update(snap: object) -> None:
        seen.append((snap.gpus[0].memory_free, threading.current_thread().name))  # type: ignore[attr-defined]
        done.set()

    poller = HardwarePoller(first, update, interval=0.05)
    poller.start()
    assert done.wait(5)
    poller.stop()
    assert seen[0] == (16208 * MIB, "paramtui-nvml-poll")
    calls = backend.init_calls
    assert calls == 2  # once for read_gpus, once for the whole life of the poller
