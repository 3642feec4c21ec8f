"""How long reading a repo's shard headers takes over a slow link, and what it costs.

Starts the tests' fake Hub (tests/fake_hub.py) on 127.0.0.1 with a 200-shard repo whose shards
are declared 5 GB each (real headers, sparse data), adds a delay to every request, and times
``load_source`` cold (nothing cached) and warm (cached commit). Prints requests per shard and
the bytes fetched as a share of the repo's size. The issue's target: under 5 s at 20 ms per
request, at most 2 requests per shard, under 0.1% of the bytes.

    python benchmarks/hub_headers.py [--delay-ms 20] [--shards 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import checkpoints as ck
from fake_hub import FakeHub, FakeRepo, VirtualFile, json_file

from paramtui.presets import get_preset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--shards", type=int, default=200)
    args = parser.parse_args()
    config = dict(get_preset("llama-3.1-70b").config)
    parts = ck.shard(list(ck.llama(config)), args.shards)
    files = {}
    for i, part in enumerate(parts, 1):
        head = ck.header_bytes(part)
        files[f"model-{i:05d}-of-{len(parts):05d}.safetensors"] = VirtualFile(head, 5 * 10**9)
    files["config.json"] = json_file(config)
    with FakeHub() as hub, tempfile.TemporaryDirectory() as cache:
        os.environ["HF_ENDPOINT"] = hub.url
        os.environ["PARAMTUI_CACHE_DIR"] = cache
        from paramtui.engine.adapters.sources import load_source

        repo = hub.add("bench/two-hundred", FakeRepo(files))
        hub.delay_s = args.delay_ms / 1000
        started = time.perf_counter()
        loaded = load_source("bench/two-hundred")
        cold = time.perf_counter() - started
        shard_requests = len(hub.requests_for(".safetensors"))
        fetched = sum(r.bytes_sent for r in hub.log)
        started = time.perf_counter()
        load_source("bench/two-hundred")
        warm = time.perf_counter() - started
    size = sum(f.size for f in repo.files.values())
    assert loaded.checkpoint is not None
    print(f"{len(parts)} shards, {args.delay_ms:.0f} ms per request, {loaded.checkpoint.tensor_count:,} tensors")
    print(f"cold: {cold:.2f} s, {shard_requests / len(parts):.2f} requests per shard,")
    print(f"      {fetched:,} bytes fetched = {100 * fetched / size:.4f}% of {size / 1e12:.2f} TB")
    print(f"warm (cached commit): {warm:.3f} s")


if __name__ == "__main__":
    main()
