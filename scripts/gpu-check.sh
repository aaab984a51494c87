#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: compare what tokenwatt reads through NVML (the exporter's NVML
# collector, its nvidia-smi fallback, and `tokenwatt record`) with nvidia-smi, side by side.
# Usage: scripts/gpu-check.sh [OUT_DIR]   (after `npm ci`; idle GPUs are fine, a loaded one is better)
# Exit status: 0 every check agrees, 1 something differs or is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
command -v nvidia-smi >/dev/null || { echo "gpu-check: nvidia-smi not found: run this on a machine with an NVIDIA GPU and driver" >&2; exit 1; }
status=0

echo "== nvidia-smi"
nvidia-smi --query-gpu=index,uuid,name,driver_version,mig.mode.current,power.draw,power.draw.instant,enforced.power.limit,utilization.gpu,memory.used,temperature.gpu,clocks.sm --format=csv || status=1

echo; echo "== NVML collector (koffi on libnvidia-ml.so.1) vs nvidia-smi"
node --import tsx scripts/gpu-check.ts collector auto || status=1

echo; echo "== NVML collector forced onto its nvidia-smi fallback (power only, no board for the ledger)"
node --import tsx scripts/gpu-check.ts collector smi || status=1

echo; echo "== tokenwatt record --duration 5s --interval 100ms vs nvidia-smi power sampled meanwhile"
nvidia-smi -i 0 --query-gpu=timestamp,power.draw --format=csv,noheader,nounits -lms 200 > "$out/smi-power.csv" &
smi_pid=$!
node bin/tokenwatt.js record --out "$out/trace.csv" --duration 5s --interval 100ms --gpu 0 || status=1
kill "$smi_pid" 2>/dev/null; wait "$smi_pid" 2>/dev/null
head -3 "$out/trace.csv"; echo "..."; tail -2 "$out/trace.csv"
node --import tsx scripts/gpu-check.ts trace "$out/trace.csv" "$out/smi-power.csv" || status=1

echo; echo "== record refuses a GPU that is not there"
node bin/tokenwatt.js record --out /dev/null --gpu 99 ; echo "(expected above: exit 1, GPU 99 not found)"

echo; echo "gpu-check: files in $out; exit $status"
exit $status
