#!/usr/bin/env bash
# Regenerates the Keras 3 fixtures (and the Fashion-MNIST example model) with Keras on JAX.
# Usage: tools/keras-fixtures/run.sh [--no-fashion | --fashion-only] [FIXTURE_OUT_DIR]
# Uses the same private venv as shared/peers/keras-peer (KILN_PEER_VENV, default /tmp/kiln-peer-venv),
# creating it from the machine's package index if it is missing or broken.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${KILN_PEER_VENV:-/tmp/kiln-peer-venv}
if [ ! -x "$venv/bin/python" ] || ! KERAS_BACKEND=jax "$venv/bin/python" -c 'import keras, jax, numpy, h5py' 2>/dev/null; then
  /usr/bin/python3 -m venv "$venv"
  PIP_RETRIES=0 PIP_TIMEOUT=5 "$venv/bin/pip" install -q keras jax jaxlib numpy h5py >&2 \
    || { echo "run.sh: could not install keras, jax, numpy and h5py into $venv" >&2; exit 3; }
fi
fixtures=1 fashion=1 args=()
while (($#)); do
  case $1 in
    --no-fashion) fashion=0; shift ;;
    --fashion-only) fixtures=0; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
export KERAS_BACKEND=jax
if ((fixtures)); then "$venv/bin/python" "$here/make_fixtures.py" "${args[@]}"; fi
if ((fashion)); then "$venv/bin/python" "$here/train_fashion_mlp.py"; fi
