#!/usr/bin/env bash
# Kiln against the PyTorch peer, side by side. For each setting (batch × hidden sizes), `./kiln bench`
# and ../shared/peers/torch-peer (PyTorch with OpenBLAS's AVX-512 kernels) run alternately, ROUNDS
# rounds each, with the same threads, batch, epochs and hidden sizes. Both report training samples/s as
# 60,000 / the median epoch time over epochs 2..N, and inference samples/s over the 10k test set at
# batch 1024 (median of 5 passes after warm-up); see TrainingBench's Javadoc for the protocol.
#
# Prints per setting the medians over the rounds and the Kiln/PyTorch ratios, and writes under
# benchmarks/results/ (or --out DIR):
#   compare-pytorch.jsonl  every run's JSON line, tagged with engine, setting and round
#   compare-pytorch.csv    one row of medians and ratios per setting
#   compare-pytorch.png    bars of Kiln vs PyTorch, training and inference samples/s per setting
#   compare-pytorch.txt    when, on what machine, with which command
#
# Usage: benchmarks/compare-pytorch.sh --help
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
    cat >&2 <<'EOF'
usage: benchmarks/compare-pytorch.sh [--threads T] [--epochs N] [--rounds R] [--batch B] [--hidden H] [--out DIR]
  Default settings: batch 32 and 128 × hidden 128 and 256,128, on 2 threads, 5 epochs, 3 rounds;
  --batch and --hidden pick one value each instead. Results go to benchmarks/results/ (or DIR).
  --report-only rebuilds the table, CSV and chart from DIR/compare-pytorch.jsonl without measuring
  (for instance after an interrupted run: the JSONL is written run by run).
EOF
}

readonly COMMAND="benchmarks/compare-pytorch.sh${*:+ $*}"
threads=2 epochs=5 rounds=3 out=benchmarks/results
batches=(32 128) hiddens=(128 256,128) report_only=0
while (($# > 0)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --report-only) report_only=1; shift; continue ;;
        --threads | --epochs | --rounds | --batch | --hidden | --out)
            (($# >= 2)) || { echo "compare-pytorch: $1 needs a value" >&2; usage; exit 2; } ;;
        *) echo "compare-pytorch: unknown option $1" >&2; usage; exit 2 ;;
    esac
    case $1 in
        --threads) threads=$2 ;;
        --epochs) epochs=$2 ;;
        --rounds) rounds=$2 ;;
        --batch) batches=("$2") ;;
        --hidden) hiddens=("$2") ;;
        --out) out=$2 ;;
    esac
    shift 2
done
for n in "$threads" "$epochs" "$rounds" "${batches[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "compare-pytorch: '$n' is not a whole number >= 1" >&2; exit 2; }
done
for h in "${hiddens[@]}"; do
    [[ $h =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
        { echo "compare-pytorch: --hidden '$h' is not a list of widths such as 128 or 256,128" >&2; exit 2; }
done

# The JDK 25 that ./kiln would use, for the chart program (the default java may be older).
java=''
for candidate in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [[ -x $candidate ]] || continue
    if [[ $("$candidate" -version 2>&1 | head -n 1) =~ \"(2[5-9]|[3-9][0-9])[.\"] ]]; then
        java=$candidate
        break
    fi
done
[[ -n $java ]] || { echo "compare-pytorch: no Java 25 found; ./kiln help says how to install one" >&2; exit 1; }

# Appends one run's JSON line, tagged, to $raw; $1 engine, $2 batch, $3 hidden, $4 round, $5 the line.
record() {
    /usr/bin/python3 -c '
import json, sys
engine, batch, hidden, rnd, line = sys.argv[1:]
result = json.loads(line[5:] if line.startswith("JSON ") else line)
print(json.dumps({"engine": engine, "batch": int(batch), "hidden": hidden, "round": int(rnd), "result": result}))
' "$@" >>"$raw"
}

# Runs one engine once; stdout is its JSON line, its other output goes to a log beside the results.
run_kiln() {
    ./kiln bench --threads "$threads" --batch "$1" --epochs "$epochs" --hidden "$2" 2>>"$out/compare-pytorch.log" |
        tee -a "$out/compare-pytorch.log" | tail -n 1
}
run_torch() {
    "$peer" --threads "$threads" --batch "$1" --epochs "$epochs" --hidden "$2" 2>>"$out/compare-pytorch.log" |
        tee -a "$out/compare-pytorch.log" | tail -n 1
}

# One line per round: both engines' training and inference samples/s; $1 batch, $2 hidden, $3 round.
print_round() {
    /usr/bin/python3 - "$raw" "$@" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
this = {r["engine"]: r["result"] for r in runs
        if r["batch"] == int(sys.argv[2]) and r["hidden"] == sys.argv[3] and r["round"] == int(sys.argv[4])}
k, t = this["kiln"], this["torch"]
print(f"batch {sys.argv[2]:>4} hidden {sys.argv[3]:<8} round {sys.argv[4]}: "
      f"train kiln {k['train_samples_per_second']:>10,.0f}  torch {t['train_samples_per_s']:>10,.0f}   "
      f"infer kiln {k['inference_samples_per_second']:>11,.0f}  torch {t['infer_samples_per_s']:>11,.0f}")
PY
}

# Build once up front (./kiln builds when sources changed), so no round pays for Maven; the chart
# program is in the same jar.
./kiln bench --help >/dev/null 2>&1 || { echo "compare-pytorch: building Kiln failed; run ./kiln bench" >&2; exit 1; }

raw=$out/compare-pytorch.jsonl
if ((report_only)); then
    [[ -s $raw ]] || { echo "compare-pytorch: no results in $raw to report" >&2; exit 1; }
else
    # TORCH_PEER overrides where the peer is (the default assumes the checkout sits beside shared/).
    peer=${TORCH_PEER:-../shared/peers/torch-peer}
    if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
        echo "compare-pytorch: PyTorch is missing; install it with: apt-get install -y python3-torch" >&2
        exit 3
    fi
    [[ -x $peer ]] || { echo "compare-pytorch: the PyTorch peer $peer is missing" >&2; exit 3; }

    mkdir -p "$out"
    # Written run by run, so an interrupted comparison keeps what it measured.
    : >"$raw"
    started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

    : >"$out/compare-pytorch.log"
    for batch in "${batches[@]}"; do
        for hidden in "${hiddens[@]}"; do
            for ((r = 1; r <= rounds; r++)); do
                # Alternate which engine goes first, so neither always runs on the warmer (or noisier) side.
                if ((r % 2 == 1)); then order=(kiln torch); else order=(torch kiln); fi
                for engine in "${order[@]}"; do
                    line=$("run_$engine" "$batch" "$hidden") ||
                        { echo "compare-pytorch: $engine failed (batch $batch, hidden $hidden); see $out/compare-pytorch.log" >&2; exit 1; }
                    record "$engine" "$batch" "$hidden" "$r" "$line"
                done
                print_round "$batch" "$hidden" "$r"
            done
        done
    done

    {
        echo "command: $COMMAND"
        echo "started: $started  finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        if commit=$(git rev-parse --short HEAD 2>/dev/null); then
            git diff --quiet HEAD 2>/dev/null || commit="$commit with uncommitted changes"
        else
            commit="unknown (not a git checkout)"
        fi
        echo "commit: $commit"
        echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) processors"
        echo "load average (1, 5, 15 min) at the start: $load_at_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "java: $("$java" -version 2>&1 | head -n 1)"
        echo "torch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null)"
    } >"$out/compare-pytorch.txt"
fi

/usr/bin/python3 - "$raw" "$out/compare-pytorch.csv" <<'PY'
import csv, json, statistics, sys
raw, csv_path = sys.argv[1:]
runs = [json.loads(l) for l in open(raw)]
# Threads and epochs as the runs report them; rounds as many as both engines completed.
threads = sorted({r["result"]["threads"] for r in runs})
epochs = sorted({r["result"]["epochs"] for r in runs})
threads = threads[0] if len(threads) == 1 else "/".join(map(str, threads))
epochs = epochs[0] if len(epochs) == 1 else "/".join(map(str, epochs))
settings = []
for r in runs:
    key = (r["batch"], r["hidden"])
    if key not in settings:
        settings.append(key)
# The two engines name their fields differently: Kiln's JSON, then the peer's.
fields = {"train": ("train_samples_per_second", "train_samples_per_s"),
          "infer": ("inference_samples_per_second", "infer_samples_per_s"),
          "acc": ("test_accuracy", "test_acc")}
rows = []
for batch, hidden in settings:
    def median(engine, what):
        key = fields[what][0 if engine == "kiln" else 1]
        return statistics.median(r["result"][key] for r in runs
                                 if r["engine"] == engine and r["batch"] == batch and r["hidden"] == hidden)
    rounds = min(sum(1 for r in runs if r["engine"] == e and r["batch"] == batch and r["hidden"] == hidden)
                 for e in ("kiln", "torch"))
    if rounds == 0:
        continue
    row = {"setting": f"b{batch} h{hidden}", "batch": batch, "hidden": hidden, "threads": threads,
           "epochs": epochs, "rounds": rounds}
    for what in ("train", "infer", "acc"):
        row[f"kiln_{what}"] = median("kiln", what)
        row[f"torch_{what}"] = median("torch", what)
    row["train_ratio"] = row["kiln_train"] / row["torch_train"]
    row["infer_ratio"] = row["kiln_infer"] / row["torch_infer"]
    row["acc_diff"] = row["kiln_acc"] - row["torch_acc"]
    row["kiln_gflops"] = statistics.median(r["result"]["gflops"] for r in runs
                                           if r["engine"] == "kiln" and r["batch"] == batch and r["hidden"] == hidden)
    rows.append(row)
with open(csv_path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    for row in rows:
        w.writerow({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})

print(f"\nmedians over the rounds, {threads} threads, {epochs} epochs (samples/s; ratio = Kiln / PyTorch)")
head = ("batch", "hidden", "rounds", "Kiln train", "PyTorch train", "ratio", "Kiln infer", "PyTorch infer", "ratio",
        "Kiln acc", "PyTorch acc", "Kiln GFLOP/s")
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---:" for _ in head) + "|")
for r in rows:
    print(f"| {r['batch']} | {r['hidden']} | {r['rounds']} | {r['kiln_train']:,.0f} | {r['torch_train']:,.0f} | {r['train_ratio']:.2f} "
          f"| {r['kiln_infer']:,.0f} | {r['torch_infer']:,.0f} | {r['infer_ratio']:.2f} "
          f"| {r['kiln_acc']:.4f} | {r['torch_acc']:.4f} | {r['kiln_gflops']:.1f} |")
PY

examples_jar=$(ls examples/target/kiln-examples-*.jar | grep -v -e sources -e javadoc -e tests | head -n 1)
"$java" -Djava.awt.headless=true -cp "$examples_jar:examples/target/lib/*" dev.kiln.examples.ComparisonChart \
    "$out/compare-pytorch.csv" "$out/compare-pytorch.png"
echo "results: $out/compare-pytorch.{csv,jsonl,png,txt} (run log: $out/compare-pytorch.log)"
