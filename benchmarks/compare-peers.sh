#!/usr/bin/env bash
# Kiln against its three peers, side by side. For each setting (batch × hidden sizes, or batch alone
# with --model cnn), `./kiln bench` and each peer run one after the other, ROUNDS rounds, every run a
# fresh process with the same threads, batch, epochs and model (hidden sizes for the MLP; with
# --model cnn, Keras' simple convnet, whose layers are fixed). The peers (../shared/peers, see their
# headers):
#   torch1  PyTorch 1.13 + OpenBLAS  torch-peer                  (needs Debian's python3-torch)
#   torch2  PyTorch 2 + MKL          keras-peer --torch2         (a venv under /tmp, made on first use)
#   keras   Keras 3 on JAX           keras-peer --backend jax    (the same venv)
# A peer whose prerequisite is missing is skipped with a note; Kiln always runs.
#
# Every engine reports what a user waits for, mapped here onto common columns: steady training
# samples/s (60,000 / the median epoch of 2..N), the first epoch, the whole fit, process start to the
# end of fit, the first predict of the 10k test set, steady inference samples/s, test accuracy.
# Prints a table per setting of the medians over the rounds and Kiln's ratio to the fastest peer in each
# column (samples/s Kiln / peer, times peer / Kiln: above 1, Kiln is ahead), and writes under
# benchmarks/results/ (or --out DIR):
#   compare-peers.jsonl  every run's JSON line, tagged with engine, setting and round, run by run
#   compare-peers.csv    the medians per setting and engine, and Kiln's ratios on Kiln's rows
#   compare-peers.png    bars per engine: training samples/s, fit s, first predict ms, inference samples/s
#   compare-peers.txt    when, on what machine, with which command and versions
#   compare-peers.log    everything the engines printed
#
# Usage: benchmarks/compare-peers.sh --help
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
    cat >&2 <<'EOF'
usage: benchmarks/compare-peers.sh [--model mlp|cnn] [--peers LIST] [--threads T] [--epochs N] [--rounds R]
                                   [--batch B] [--hidden H] [--out DIR] [--report-only]
  Default settings: batch 32 and 128 × hidden 128 and 256,128, on 2 threads, 5 epochs, 3 rounds;
  --batch and --hidden pick one value each instead. Results go to benchmarks/results/ (or DIR).
  --model cnn compares Keras' simple convnet (Conv2D 32, pool, Conv2D 64, pool, Dropout 0.5, Dense 10)
  instead of the MLP: every engine gets --model cnn, the settings are the batches alone (labelled cnn)
  and --hidden is refused.
  --peers picks among torch1 (PyTorch 1.13 + OpenBLAS), torch2 (PyTorch 2 + MKL) and keras (Keras 3
  on JAX), comma-separated; default all three. Kiln always runs. TORCH_PEER and KERAS_PEER point at
  torch-peer and keras-peer when the checkout does not sit beside shared/.
  --report-only rebuilds the tables, CSV and chart from DIR/compare-peers.jsonl without measuring
  (for instance after an interrupted run: the JSONL is written run by run).
EOF
}

readonly COMMAND="benchmarks/compare-peers.sh${*:+ $*}"
threads=2 epochs=5 rounds=3 out=benchmarks/results peers=torch1,torch2,keras model=mlp
batches=(32 128) hiddens=(128 256,128) report_only=0 hidden_given=0
while (($# > 0)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --report-only) report_only=1; shift; continue ;;
        --model | --peers | --threads | --epochs | --rounds | --batch | --hidden | --out)
            (($# >= 2)) || { echo "compare-peers: $1 needs a value" >&2; usage; exit 2; } ;;
        *) echo "compare-peers: unknown option $1" >&2; usage; exit 2 ;;
    esac
    case $1 in
        --model) model=$2 ;;
        --peers) peers=$2 ;;
        --threads) threads=$2 ;;
        --epochs) epochs=$2 ;;
        --rounds) rounds=$2 ;;
        --batch) batches=("$2") ;;
        --hidden) hiddens=("$2") hidden_given=1 ;;
        --out) out=$2 ;;
    esac
    shift 2
done
for n in "$threads" "$epochs" "$rounds" "${batches[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "compare-peers: '$n' is not a whole number >= 1" >&2; exit 2; }
done
[[ $model == mlp || $model == cnn ]] || { echo "compare-peers: --model must be mlp or cnn, got '$model'" >&2; exit 2; }
# The convnet's layers are fixed: widths would be dropped silently, and `./kiln bench` refuses them.
[[ $model == mlp ]] || ((!hidden_given)) ||
    { echo "compare-peers: --hidden is for --model mlp; the cnn model has fixed layers" >&2; exit 2; }
for h in "${hiddens[@]}"; do
    [[ $h =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
        { echo "compare-peers: --hidden '$h' is not a list of widths such as 128 or 256,128" >&2; exit 2; }
done
# One setting per batch for the convnet; "cnn" stands where the hidden sizes would, in the run loop,
# the tables, the CSV's setting and the JSONL's tags.
[[ $model == mlp ]] || hiddens=(cnn)
[[ $peers =~ ^[a-z0-9]+(,[a-z0-9]+)*$ ]] ||
    { echo "compare-peers: --peers '$peers' is not a list such as torch1,keras" >&2; exit 2; }
IFS=, read -r -a wanted <<<"$peers"
for p in "${wanted[@]}"; do
    [[ $p == torch1 || $p == torch2 || $p == keras ]] ||
        { echo "compare-peers: unknown peer '$p'; the peers are torch1, torch2 and keras" >&2; exit 2; }
    [[ $(printf '%s\n' "${wanted[@]}" | grep -cx "$p") == 1 ]] ||
        { echo "compare-peers: --peers names $p twice" >&2; exit 2; }
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
[[ -n $java ]] || { echo "compare-peers: no Java 25 found; ./kiln help says how to install one" >&2; exit 1; }

raw=$out/compare-peers.jsonl
log=$out/compare-peers.log
torch_peer=${TORCH_PEER:-../shared/peers/torch-peer}
keras_peer=${KERAS_PEER:-../shared/peers/keras-peer}

# Sets cmd to the command line of engine $1; every engine takes the same setting options after it.
# The MLP's command lines stay as they were (no --model: mlp is every engine's default).
command_of() {
    case $1 in
        kiln) cmd=(./kiln bench) ;;
        torch1) cmd=("$torch_peer") ;;
        torch2) cmd=("$keras_peer" --torch2) ;;
        keras) cmd=("$keras_peer" --backend jax) ;;
    esac
}

# The options that pick the model for setting $1 (hidden sizes, or cnn), the same for every engine.
model_args_of() {
    if [[ $1 == cnn ]]; then model_args=(--model cnn); else model_args=(--hidden "$1"); fi
}

# Reads the runs and writes the outputs. `record RAW ENGINE BATCH HIDDEN ROUND LINE` appends one run,
# tagged, to RAW and prints it in the common columns (HIDDEN is "cnn" for the convnet); `report RAW CSV`
# prints the tables and writes the CSV. One program, so that the engines' fields are mapped onto the
# columns in one place.
summarise() {
    /usr/bin/python3 - "$@" <<'PY'
import csv, json, os, statistics, sys

# The common columns: throughputs (higher is better), then times in seconds (lower is better), then
# the accuracy, which is neither and gets a difference instead of a ratio.
THROUGHPUTS = ("train_samples_per_s", "infer_samples_per_s")
TIMES = ("first_epoch_s", "fit_s", "process_s", "first_predict_s")
COLUMNS = ("train_samples_per_s", "first_epoch_s", "fit_s", "process_s", "first_predict_s",
           "infer_samples_per_s", "test_acc")
# Kiln's ratio to the best peer per column, on Kiln's row of the CSV.
RATIOS = {"train_samples_per_s": "train_ratio", "first_epoch_s": "first_epoch_ratio", "fit_s": "fit_ratio",
          "process_s": "process_ratio", "first_predict_s": "first_predict_ratio",
          "infer_samples_per_s": "infer_ratio", "test_acc": "test_acc_diff"}
ENGINES = ("kiln", "torch1", "torch2", "keras")


def common(engine, r):
    """One run's figures in the common columns; None where the run did not report one."""
    if engine == "kiln":
        names = ("train_samples_per_second", "first_epoch_seconds", "fit_seconds", "process_seconds",
                 "first_predict_seconds", "inference_samples_per_second", "test_accuracy")
        return {c: r.get(n) for c, n in zip(COLUMNS, names)}
    epochs = r.get("epoch_times_s") or []
    return {"train_samples_per_s": r.get("train_samples_per_s"),
            "first_epoch_s": epochs[0] if epochs else None,
            # The torch peers' fit is their epoch loop, so its time is the sum of the epochs; Keras
            # times model.fit itself.
            "fit_s": r.get("fit_s", sum(epochs) if epochs else None),
            "process_s": r.get("process_to_fit_end_s"),
            "first_predict_s": r.get("first_infer_s"),
            "infer_samples_per_s": r.get("infer_samples_per_s"),
            "test_acc": r.get("test_acc")}


def label(engine, r):
    minor = lambda v: ".".join(str(v).split("+")[0].split(".")[:2])
    if engine == "torch1":
        return f"PyTorch {minor(r.get('torch', '1'))} + OpenBLAS"
    if engine == "torch2":
        return f"PyTorch {minor(r.get('torch', '2'))} + MKL"
    if engine == "keras":
        return f"Keras {minor(r.get('keras', '3'))} + {r.get('backend', 'jax').upper()}"
    return "Kiln" if engine == "kiln" else engine


def cell(column, v):
    if v is None:
        return "–"
    if column in THROUGHPUTS:
        return f"{v:,.0f}"
    if column == "first_predict_s":
        return f"{v * 1e3:,.1f}"
    return f"{v:.4f}" if column == "test_acc" else f"{v:.2f}"


def model_of(run):
    """The JSONL tag's model; runs written before --model existed are the MLP's."""
    return run.get("model", "mlp")


def setting_name(model, hidden):
    """How a setting's model is shown: "hidden 256,128" for the MLP, "cnn" for the convnet."""
    return "cnn" if model == "cnn" else f"hidden {hidden}"


def record(raw, engine, batch, hidden, rnd, line):
    try:
        result = json.loads(line[5:] if line.startswith("JSON ") else line)
    except json.JSONDecodeError:
        sys.exit(f"compare-peers: {engine} did not end with a JSON line but with: {line[:200]}")
    # Every engine reports the model it ran; one that ran another than asked would compare unlike things.
    model = "cnn" if hidden == "cnn" else "mlp"
    if result.get("model", "mlp") != model:
        sys.exit(f"compare-peers: {engine} was asked for the {model} model but reports {result.get('model')!r}")
    tag = {"engine": engine, "batch": int(batch), "model": model, "hidden": None if model == "cnn" else hidden,
           "round": int(rnd), "result": result}
    with open(raw, "a") as f:
        f.write(json.dumps(tag) + "\n")
    c = {column: cell(column, v) for column, v in common(engine, result).items()}
    print(f"batch {batch:>4} {setting_name(model, hidden):<15} round {rnd}  {engine:<6}  train {c['train_samples_per_s']:>9}/s"
          f"  first epoch {c['first_epoch_s']} s  fit {c['fit_s']} s  first predict {c['first_predict_s']} ms"
          f"  infer {c['infer_samples_per_s']:>9}/s  acc {c['test_acc']}", flush=True)


def ratio(column, kiln, best):
    """How many times better Kiln is than the best peer: > 1 means Kiln is ahead."""
    if kiln is None or best is None or kiln == 0 or best == 0:
        return None
    return kiln / best if column in THROUGHPUTS else best / kiln


def add_ratios(rows):
    """Kiln's ratio to the best peer in each column (the best peer may differ from column to column),
    on Kiln's row; the accuracy gets Kiln's difference to the most accurate peer instead."""
    kiln = next((r for r in rows if r["engine"] == "kiln"), None)
    peers = [r for r in rows if r["engine"] != "kiln"]
    if kiln is None or not peers:
        return
    kiln["best_peer"] = {}
    for column in COLUMNS:
        present = [p for p in peers if p[column] is not None]
        pick = min if column in TIMES else max
        best = pick(present, key=lambda p: p[column]) if present else None
        kiln["best_peer"][column] = best and best["engine"]
        if column == "test_acc":
            kiln[RATIOS[column]] = None if best is None or kiln[column] is None else kiln[column] - best[column]
        else:
            kiln[RATIOS[column]] = ratio(column, kiln[column], best and best[column])


def report(raw, csv_path):
    runs = [json.loads(l) for l in open(raw) if l.strip()]
    order = lambda e: (ENGINES.index(e) if e in ENGINES else len(ENGINES), e)
    rows = []
    key = lambda r: (r["batch"], model_of(r), r["hidden"])
    for batch, model, hidden in dict.fromkeys(key(r) for r in runs):
        here = [r for r in runs if key(r) == (batch, model, hidden)]
        joined = lambda key: "/".join(map(str, sorted({r["result"].get(key) for r in here} - {None})))
        setting_rows = []
        for engine in sorted({r["engine"] for r in here}, key=order):
            mine = [r["result"] for r in here if r["engine"] == engine]
            row = {"setting": f"b{batch} cnn" if model == "cnn" else f"b{batch} h{hidden}", "batch": batch,
                   "model": model, "hidden": hidden, "threads": joined("threads"),
                   "epochs": joined("epochs"), "engine": engine, "label": label(engine, mine[0]), "rounds": len(mine)}
            for column in COLUMNS:
                values = [v for v in (common(engine, r)[column] for r in mine) if v is not None]
                row[column] = statistics.median(values) if values else None
            setting_rows.append(row)
        add_ratios(setting_rows)
        rows += setting_rows

    if not rows:
        sys.exit(f"compare-peers: no runs in {raw}")
    fields = ["setting", "batch", "hidden", "threads", "epochs", "engine", "label", "rounds", *COLUMNS,
              *RATIOS.values()]
    fmt = lambda v: "" if v is None else (f"{v:.6g}" if isinstance(v, float) else v)
    tmp = os.path.join(os.path.dirname(os.path.abspath(csv_path)), "." + os.path.basename(csv_path) + ".tmp")
    with open(tmp, "w", newline="") as f:  # then renamed over the CSV: never half a file
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({k: fmt(row.get(k)) for k in fields})
    os.replace(tmp, csv_path)

    head = ("engine", "rounds", "train samples/s", "first epoch s", "fit s", "process s", "first predict ms",
            "infer samples/s", "test acc")
    print("\nmedians over the rounds; ratio = how many times better Kiln is than the fastest peer in that column"
          "\n(throughputs Kiln / peer, times peer / Kiln: > 1 means Kiln is ahead), accuracy = Kiln - the best peer")
    for setting in dict.fromkeys(r["setting"] for r in rows):
        mine = [r for r in rows if r["setting"] == setting]
        print(f"\nbatch {mine[0]['batch']}, {setting_name(mine[0]['model'], mine[0]['hidden'])}, "
              f"threads {mine[0]['threads']}, epochs {mine[0]['epochs']}")
        print("| " + " | ".join(head) + " |")
        print("|---|" + "|".join("---:" for _ in head[1:]) + "|")
        for r in mine:
            print(f"| {r['label']} | {r['rounds']} | " + " | ".join(cell(c, r[c]) for c in COLUMNS) + " |")
        kiln = next((r for r in mine if "best_peer" in r), None)
        if kiln:
            cells = []
            for c in COLUMNS:
                v = kiln[RATIOS[c]]
                shown = "–" if v is None else (f"{v:+.4f}" if c == "test_acc" else f"{v:.2f}×")
                cells.append(shown + (f" ({kiln['best_peer'][c]})" if kiln["best_peer"][c] else ""))
            print("| Kiln vs fastest peer | | " + " | ".join(cells) + " |")


{"record": record, "report": report}[sys.argv[1]](*sys.argv[2:])
PY
}

# Build once up front (./kiln builds when sources changed), so no round pays for Maven; the chart
# program is in the same jar.
./kiln bench --help >/dev/null 2>&1 || { echo "compare-peers: building Kiln failed; run ./kiln bench" >&2; exit 1; }

if ((report_only)); then
    [[ -s $raw ]] || { echo "compare-peers: no results in $raw to report" >&2; exit 1; }
else
    # Each peer's --help goes through its launcher, which checks torch, fetches OpenBLAS or makes the
    # venv on first use, so a missing prerequisite shows here and not in the middle of a round.
    probe_log=$(mktemp) probe_err=$(mktemp)
    trap 'rm -f "$probe_log" "$probe_err" "$out/.compare-peers.txt.tmp"' EXIT
    engines=(kiln) skipped=()
    for p in "${wanted[@]}"; do
        command_of "$p"
        echo "=== $p: ${cmd[*]} --help" >>"$probe_log"
        if [[ ! -x ${cmd[0]} ]]; then
            reason="${cmd[0]} is missing (set $([[ $p == torch1 ]] && echo TORCH_PEER || echo KERAS_PEER))"
        elif ! "${cmd[@]}" --help >>"$probe_log" 2>"$probe_err"; then
            cat "$probe_err" >>"$probe_log"
            reason=$(grep -v '^[[:space:]]*$' "$probe_err" | tail -n 1 || true)
            reason=${reason:-its launcher failed with no message}
        else
            engines+=("$p")
            continue
        fi
        skipped+=("$p: $reason")
        echo "compare-peers: skipping $p: $reason" >&2
    done
    ((${#engines[@]} > 1)) || { echo "compare-peers: no peer to compare with" >&2; exit 3; }

    # Only now is the last comparison's output replaced: its summary must not pass for this one's.
    mkdir -p "$out"
    rm -f "$out/compare-peers.csv" "$out/compare-peers.png" "$out/compare-peers.txt"
    cat "$probe_log" >"$log"
    : >"$raw"

    started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "model: $model; engines: ${engines[*]}; settings: $((${#batches[@]} * ${#hiddens[@]})), rounds each: $rounds" >&2
    for batch in "${batches[@]}"; do
        for hidden in "${hiddens[@]}"; do
            for ((r = 1; r <= rounds; r++)); do
                # Rotate the order each round, so that no engine always runs first (on a cooler, or
                # noisier, machine) or right after the same neighbour.
                shift_by=$(((r - 1) % ${#engines[@]}))
                order=("${engines[@]:shift_by}" "${engines[@]:0:shift_by}")
                for engine in "${order[@]}"; do
                    command_of "$engine"
                    model_args_of "$hidden"
                    what=$([[ $hidden == cnn ]] && echo cnn || echo "hidden $hidden")
                    echo "=== $engine batch $batch $what round $r: ${cmd[*]} ${model_args[*]}" >>"$log"
                    line=$("${cmd[@]}" --threads "$threads" --batch "$batch" --epochs "$epochs" "${model_args[@]}" \
                        2>>"$log" | tee -a "$log" | tail -n 1) ||
                        { echo "compare-peers: $engine failed (batch $batch, $what); see $log" >&2; exit 1; }
                    summarise record "$raw" "$engine" "$batch" "$hidden" "$r" "$line"
                done
            done
        done
    done

    # Versions as each engine runs them: the system python for torch1, keras-peer's venv for the others
    # (KILN_PEER_VENV, defaulting as in keras-peer).
    venv_python=${KILN_PEER_VENV:-/tmp/kiln-peer-venv}/bin/python
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
        echo "model: $model"
        echo "engines: ${engines[*]}"
        for s in "${skipped[@]}"; do echo "skipped $s"; done
        echo "java: $("$java" -version 2>&1 | head -n 1)"
        if [[ " ${engines[*]} " == *" torch1 "* ]]; then
            echo "torch1: torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null ||
                echo unknown)"
        fi
        if [[ " ${engines[*]} " == *" torch2 "* || " ${engines[*]} " == *" keras "* ]]; then
            echo "torch2, keras: $(KERAS_BACKEND=jax "$venv_python" -c '
import jax, keras, torch
print(f"torch {torch.__version__}, keras {keras.__version__}, jax {jax.__version__}")' 2>/dev/null || echo unknown)"
        fi
    } >"$out/.compare-peers.txt.tmp"
    mv "$out/.compare-peers.txt.tmp" "$out/compare-peers.txt"
fi

summarise report "$raw" "$out/compare-peers.csv"

examples_jar=$(ls examples/target/kiln-examples-*.jar | grep -v -e sources -e javadoc -e tests | head -n 1)
"$java" -Djava.awt.headless=true -cp "$examples_jar:examples/target/lib/*" dev.kiln.examples.ComparisonChart \
    "$out/compare-peers.csv" "$out/compare-peers.png"
echo "results: $out/compare-peers.{csv,jsonl,png,txt} (run log: $log)"
