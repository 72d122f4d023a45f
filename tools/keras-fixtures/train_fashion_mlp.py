"""Trains the small Fashion-MNIST MLP that Kiln's runnable example loads.

Usage: python train_fashion_mlp.py [DATA_DIR] [OUT_DIR]
    DATA_DIR defaults to /usr/share/datasets/fashion-mnist (the four IDX .gz files)
    OUT_DIR  defaults to examples/src/main/resources/dev/kiln/examples (relative: to the repo root)

Writes OUT_DIR/fashion_mlp.keras and OUT_DIR/fashion_mlp.json with Keras' own test accuracy/loss
on the 10,000 test images and the softmax output for test image 0.
"""

import gzip
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
DEFAULT_OUT = "examples/src/main/resources/dev/kiln/examples"


def read_idx(path):
    """IDX format: big-endian magic (0x00 0x00 dtype ndim), ndim big-endian int32 sizes, raw data."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    shape = tuple(int(v) for v in np.frombuffer(data, dtype=">i4", count=ndim, offset=4))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(data_dir, prefix):
    images = read_idx(Path(data_dir) / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(Path(data_dir) / f"{prefix}-labels-idx1-ubyte.gz")
    x = (images.reshape(len(images), 784).astype(np.float32) / 255.0)
    return x, labels.astype(np.int32)


def main(argv):
    data_dir = argv[1] if len(argv) > 1 else DEFAULT_DATA
    out_dir = Path(argv[2] if len(argv) > 2 else DEFAULT_OUT)
    if not out_dir.is_absolute():
        out_dir = REPO_ROOT / out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    train_x, train_y = load(data_dir, "train")
    test_x, test_y = load(data_dir, "t10k")
    print(f"train {train_x.shape} test {test_x.shape}")

    keras.backend.clear_session()
    keras.utils.set_random_seed(42)
    model = keras.Sequential([keras.Input((784,)),
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")], name="fashion_mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_x, train_y, batch_size=128, epochs=2, verbose=2)
    test_loss, test_accuracy = model.evaluate(test_x, test_y, batch_size=128, verbose=0)
    first = model.predict(test_x[:1], verbose=0)[0]
    print(f"Keras {keras.__version__}: test accuracy {test_accuracy:.4f}, test loss {test_loss:.4f}")

    model.save(out_dir / "fashion_mlp.keras")
    info = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "test_accuracy": float(test_accuracy),
        "test_loss": float(test_loss),
        "first_predictions": [float(v) for v in first],
        "first_label": int(test_y[0]),
        "training": "Dense(64, relu) -> Dense(10, softmax); adam, sparse_categorical_crossentropy, "
                    "batch 128, 2 epochs, pixels/255, seed 42",
    }
    (out_dir / "fashion_mlp.json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"wrote {out_dir / 'fashion_mlp.keras'} and fashion_mlp.json")


if __name__ == "__main__":
    main(sys.argv)
