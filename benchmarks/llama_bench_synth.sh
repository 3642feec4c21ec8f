#!/usr/bin/env bash
# Time llama.cpp decode and prefill on this machine's GPU for presets it cannot download.
#
# Usage: benchmarks/llama_bench_synth.sh SRC_TARBALL WORKDIR OUTDIR PRESET:QUANT...
# Builds llama-bench with CUDA from a llama.cpp source tarball (once; kept in WORKDIR), then for
# each PRESET:QUANT writes a synthetic GGUF with benchmarks/synth_gguf.py (real tensor layout and
# GGML types, filler values), runs llama-bench on it fully on the GPU (-ngl 99, flash attention
# on, tg128 and pp512 at depth 0 and 8192, 3 repetitions) and deletes the file. Results are
# llama-bench's JSON lines in OUTDIR/bench.jsonl; a preset already there is skipped, so a run cut
# off by a time limit resumes where it stopped.
set -euo pipefail
src=$1 work=$2 out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work" "$out"
bench=$work/llama.cpp/build/bin/llama-bench
if [ ! -x "$bench" ]; then
  tar -xJf "$src" -C "$work"
  cmake -S "$work/llama.cpp" -B "$work/llama.cpp/build" -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=native \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
    -DCMAKE_BUILD_TYPE=Release >"$out/build.log" 2>&1
  cmake --build "$work/llama.cpp/build" --target llama-bench -j "$(nproc)" >>"$out/build.log" 2>&1
fi
"$bench" --version 2>&1 | tee "$out/version.txt"
export PYTHONPATH=$work/llama.cpp/gguf-py${PYTHONPATH:+:$PYTHONPATH}
for item in "$@"; do
  preset=${item%%:*} quant=${item#*:}
  if grep -q "\"synthetic_id\": \"$item\"" "$out/bench.jsonl" 2>/dev/null; then continue; fi
  file=$work/model.gguf
  python3 "$here/synth_gguf.py" "$preset" "$quant" "$file"
  "$bench" -m "$file" -ngl 99 -fa on -p 512 -n 128 -d 0,8192 -r 3 -o jsonl 2>>"$out/bench.err" |
    sed "s/^{/{\"synthetic_id\": \"$item\", /" | tee -a "$out/bench.jsonl"
  rm -f "$file"
done
