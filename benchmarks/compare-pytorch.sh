#!/usr/bin/env bash
# Kiln against the PyTorch peer, side by side: ./kiln demo and ../shared/peers/torch-peer run
# alternately for ROUNDS rounds (default 3) with the same threads, batch and epochs, then the medians
# of their steady-state training samples/s (median epoch after the first) and the Kiln/PyTorch ratio.
# Usage: benchmarks/compare-pytorch.sh [--threads T] [--batch B] [--epochs N] [--rounds R]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
threads=2 batch=128 epochs=5 rounds=3
while [[ $# -gt 0 ]]; do
    case $1 in
        --threads) threads=$2 ;; --batch) batch=$2 ;; --epochs) epochs=$2 ;; --rounds) rounds=$2 ;;
        *) echo "usage: $0 [--threads T] [--batch B] [--epochs N] [--rounds R]" >&2; exit 2 ;;
    esac
    shift 2
done
peer=../shared/peers/torch-peer
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "compare-pytorch: PyTorch is missing; run: apt-get install -y python3-torch" >&2
    exit 3
fi
kiln=() torch=()
for ((r = 1; r <= rounds; r++)); do
    k=$(./kiln demo --threads "$threads" --batch "$batch" --epochs "$epochs" 2>/dev/null | tail -n 1)
    t=$("$peer" --threads "$threads" --batch "$batch" --epochs "$epochs" 2>/dev/null | tail -n 1)
    ks=$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["steady_samples_per_second"]))' "$k")
    ts=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1][5:])["train_samples_per_s"])' "$t")
    echo "round $r: kiln $ks samples/s, pytorch $ts samples/s"
    kiln+=("$ks") torch+=("$ts")
done
python3 - "${kiln[*]}" "${torch[*]}" "$threads" "$batch" <<'PY'
import statistics, sys
k = statistics.median(map(float, sys.argv[1].split()))
t = statistics.median(map(float, sys.argv[2].split()))
print(f"threads {sys.argv[3]} batch {sys.argv[4]}: kiln median {k:,.0f}, pytorch median {t:,.0f}, ratio {k / t:.2f}")
PY
