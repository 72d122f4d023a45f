"""Writes small Keras 3 fixture models for Kiln's Keras-compatibility tests.

Usage (from anywhere; run.sh sets up the venv and KERAS_BACKEND=jax):
    python make_fixtures.py [OUT_DIR]

OUT_DIR defaults to api/src/test/resources/dev/kiln/keras; a relative OUT_DIR is
resolved against the repository root.

For each fixture NAME it writes into OUT_DIR:
    NAME.keras          model.save() of a compiled Sequential model trained for 3 full-batch epochs
    NAME.weights.h5     model.save_weights() at the same moment (only some fixtures)
    NAME.x.npy          float32 inputs, 8 rows
    NAME.pred.npy       model.predict(x), float32
    NAME.train_x.npy    float32 training inputs, 16 rows
    NAME.train_y.npy    training targets (float32, or int32 class indices for sparse losses)
    NAME.next_pred.npy  predictions on x after one more full-batch fit step taken after saving
                        (absent for models with Dropout)
and a manifest.json describing all of them.
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = "api/src/test/resources/dev/kiln/keras"
TRAIN_ROWS = 16
X_ROWS = 8


# --------------------------------------------------------------------------------------------
# data


def make_data(seed, input_shape, target, n_out):
    """Deterministic inputs and targets. Targets come from a fixed random 'teacher' so that
    training has something to learn."""
    rng = np.random.default_rng(seed)
    train_x = rng.standard_normal((TRAIN_ROWS, *input_shape)).astype(np.float32)
    x = rng.standard_normal((X_ROWS, *input_shape)).astype(np.float32)
    flat = train_x.reshape(TRAIN_ROWS, -1)
    teacher = rng.standard_normal((flat.shape[1], n_out)).astype(np.float32)
    scores = flat @ teacher
    if target == "sparse":
        train_y = np.argmax(scores, axis=1).astype(np.int32)
    elif target == "onehot":
        train_y = np.eye(n_out, dtype=np.float32)[np.argmax(scores, axis=1)]
    elif target == "binary":
        train_y = (scores[:, :1] > 0).astype(np.float32)
    elif target == "regression":
        train_y = np.tanh(scores / np.sqrt(flat.shape[1])).astype(np.float32)
    else:
        raise ValueError(target)
    return train_x, train_y, x


# --------------------------------------------------------------------------------------------
# fixture definitions


def adam():
    return keras.optimizers.Adam(learning_rate=0.01)


FIXTURES = []


def fixture(name, description, build, *, loss, optimizer, target, n_out, metrics=None,
            has_dropout=False, weights_h5=False):
    FIXTURES.append(dict(name=name, description=description, build=build, loss=loss,
                         optimizer=optimizer, target=target, n_out=n_out,
                         metrics=metrics, has_dropout=has_dropout, weights_h5=weights_h5))


ACTIVATIONS = ["relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "gelu", "silu", "linear"]

for _act in ACTIVATIONS:
    fixture(
        f"dense_{_act}_adam",
        f"Dense(5, '{_act}') -> Dense(4) -> Activation('{_act}') -> Dense(3, 'softmax'); "
        f"sparse CCE + Adam(0.01)",
        (lambda a: lambda: [keras.Input((6,)), layers.Dense(5, activation=a), layers.Dense(4),
                            layers.Activation(a), layers.Dense(3, activation="softmax")])(_act),
        loss="sparse_categorical_crossentropy", optimizer=adam, target="sparse", n_out=3,
        weights_h5=(_act == "relu"))

fixture(
    "dropout_adam",
    "Dense(6, relu) -> Dropout(0.3) -> Dense(3, softmax); sparse CCE + Adam(0.01); no next_pred",
    lambda: [keras.Input((8,)), layers.Dense(6, activation="relu"), layers.Dropout(0.3),
             layers.Dense(3, activation="softmax")],
    loss="sparse_categorical_crossentropy", optimizer=adam, target="sparse", n_out=3,
    has_dropout=True, weights_h5=True)

fixture(
    "batchnorm_sgd_momentum",
    "Dense(5) -> BatchNormalization() -> Dense(3, softmax); sparse CCE + SGD(0.05, momentum=0.9)",
    lambda: [keras.Input((6,)), layers.Dense(5), layers.BatchNormalization(),
             layers.Dense(3, activation="softmax")],
    loss="sparse_categorical_crossentropy",
    optimizer=lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    target="sparse", n_out=3, weights_h5=True)

fixture(
    "layernorm_rmsprop",
    "Dense(5, relu) -> LayerNormalization() -> Dense(3, softmax); sparse CCE + RMSprop(0.01)",
    lambda: [keras.Input((6,)), layers.Dense(5, activation="relu"), layers.LayerNormalization(),
             layers.Dense(3, activation="softmax")],
    loss="sparse_categorical_crossentropy",
    optimizer=lambda: keras.optimizers.RMSprop(learning_rate=0.01),
    target="sparse", n_out=3)

fixture(
    "regularized_adamw",
    "Dense(6, relu, kernel L2(0.01), bias L1(0.001)) -> Dense(3, softmax, kernel "
    "L1L2(l1=0.001, l2=0.01)); sparse CCE + AdamW(0.01, weight_decay=0.004)",
    lambda: [keras.Input((6,)),
             layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01),
                          bias_regularizer=keras.regularizers.L1(0.001)),
             layers.Dense(3, activation="softmax",
                          kernel_regularizer=keras.regularizers.L1L2(l1=0.001, l2=0.01))],
    loss="sparse_categorical_crossentropy",
    optimizer=lambda: keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.004),
    target="sparse", n_out=3)

fixture(
    "sgd_plain",
    "Dense(4, tanh) -> Dense(2) (linear); MSE regression + SGD(0.05), no momentum",
    lambda: [keras.Input((5,)), layers.Dense(4, activation="tanh"), layers.Dense(2)],
    loss="mse", optimizer=lambda: keras.optimizers.SGD(learning_rate=0.05),
    target="regression", n_out=2, weights_h5=True)

fixture(
    "adagrad_mae",
    "Dense(4, relu) -> Dense(1) (linear); MAE regression + Adagrad(0.1)",
    lambda: [keras.Input((5,)), layers.Dense(4, activation="relu"), layers.Dense(1)],
    loss="mae", optimizer=lambda: keras.optimizers.Adagrad(learning_rate=0.1),
    target="regression", n_out=1)

fixture(
    "binary_bce",
    "Dense(4, relu) -> Dense(1, sigmoid); binary_crossentropy + Adam(0.01), metrics ['accuracy']",
    lambda: [keras.Input((6,)), layers.Dense(4, activation="relu"),
             layers.Dense(1, activation="sigmoid")],
    loss="binary_crossentropy", optimizer=adam, target="binary", n_out=1, metrics=["accuracy"])

fixture(
    "categorical_cce",
    "Dense(5, relu) -> Dense(3, softmax); CategoricalCrossentropy(label_smoothing=0.1) on one-hot y "
    "+ Adam(0.01)",
    lambda: [keras.Input((6,)), layers.Dense(5, activation="relu"),
             layers.Dense(3, activation="softmax")],
    loss=lambda: keras.losses.CategoricalCrossentropy(label_smoothing=0.1), optimizer=adam,
    target="onehot", n_out=3)

fixture(
    "logits_scce",
    "Dense(5, relu) -> Dense(3) (linear logits); SparseCategoricalCrossentropy(from_logits=True) "
    "+ Adam(0.01); pred are logits",
    lambda: [keras.Input((6,)), layers.Dense(5, activation="relu"), layers.Dense(3)],
    loss=lambda: keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer=adam,
    target="sparse", n_out=3)

fixture(
    "initializers",
    "Dense(5, relu, he_normal/zeros) -> Dense(5, tanh, lecun_uniform/ones) -> Dense(4, elu, "
    "HeUniform() object, bias zeros) -> Dense(4, sigmoid, lecun_normal, bias ones) "
    "-> Dense(3, softmax, glorot_normal), the last two given their own names; sparse CCE + Adam(0.01)",
    lambda: [keras.Input((6,)),
             layers.Dense(5, activation="relu", kernel_initializer="he_normal",
                          bias_initializer="zeros"),
             layers.Dense(5, activation="tanh", kernel_initializer="lecun_uniform",
                          bias_initializer="ones"),
             layers.Dense(4, activation="elu", kernel_initializer=keras.initializers.HeUniform(),
                          bias_initializer="zeros"),
             layers.Dense(4, activation="sigmoid", kernel_initializer="lecun_normal",
                          bias_initializer="ones", name="hidden"),
             layers.Dense(3, activation="softmax", kernel_initializer="glorot_normal", name="scores")],
    loss="sparse_categorical_crossentropy", optimizer=adam, target="sparse", n_out=3)

fixture(
    "conv_small",
    "Input(8,8,2) -> Conv2D(3, 3, relu, same) -> MaxPooling2D(2) -> Conv2D(4, (2,2), strides 2, "
    "valid) -> Flatten -> Dense(3, softmax); sparse CCE + Adam(0.01)",
    lambda: [keras.Input((8, 8, 2)),
             layers.Conv2D(3, 3, activation="relu", padding="same"),
             layers.MaxPooling2D(2),
             layers.Conv2D(4, (2, 2), strides=(2, 2), padding="valid"),
             layers.Flatten(),
             layers.Dense(3, activation="softmax")],
    loss="sparse_categorical_crossentropy", optimizer=adam, target="sparse", n_out=3,
    weights_h5=True)

fixture(
    "conv_reshape_avgpool_gap",
    "Input(36) -> Reshape((6,6,1)) -> Conv2D(2, 3, same, use_bias=False) -> AveragePooling2D(2) "
    "-> Conv2D(3, 2, relu, valid) -> GlobalAveragePooling2D -> Dense(3, softmax); sparse CCE + "
    "Adam(0.01)",
    lambda: [keras.Input((36,)),
             layers.Reshape((6, 6, 1)),
             layers.Conv2D(2, 3, padding="same", use_bias=False),
             layers.AveragePooling2D(2),
             layers.Conv2D(3, 2, activation="relu", padding="valid"),
             layers.GlobalAveragePooling2D(),
             layers.Dense(3, activation="softmax")],
    loss="sparse_categorical_crossentropy", optimizer=adam, target="sparse", n_out=3)

fixture(
    "conv_globalmax",
    "Input(6,6,1) -> Conv2D(3, 3, tanh, valid) -> AveragePooling2D(2, strides=1, padding='same') "
    "-> GlobalMaxPooling2D -> Dense(2, softmax); sparse CCE + Adam(0.01)",
    lambda: [keras.Input((6, 6, 1)),
             layers.Conv2D(3, 3, activation="tanh", padding="valid"),
             layers.AveragePooling2D(2, strides=1, padding="same"),
             layers.GlobalMaxPooling2D(),
             layers.Dense(2, activation="softmax")],
    loss="sparse_categorical_crossentropy", optimizer=adam, target="sparse", n_out=2)

fixture(
    "metrics_binary",
    "Dense(4, relu) -> Dense(1, sigmoid); binary_crossentropy + Adam(0.01), metrics "
    "[Precision(thresholds=0.7, name='p'), Recall(), AUC(num_thresholds=50)]",
    lambda: [keras.Input((6,)), layers.Dense(4, activation="relu"),
             layers.Dense(1, activation="sigmoid")],
    loss="binary_crossentropy", optimizer=adam, target="binary", n_out=1,
    metrics=lambda: [keras.metrics.Precision(thresholds=0.7, name="p"), keras.metrics.Recall(),
                     keras.metrics.AUC(num_thresholds=50)])

fixture(
    "metrics_categorical",
    "Dense(5, relu) -> Dense(4, softmax); categorical_crossentropy on one-hot y + Adam(0.01), "
    "metrics ['accuracy', TopKCategoricalAccuracy(k=2)]",
    lambda: [keras.Input((6,)), layers.Dense(5, activation="relu"),
             layers.Dense(4, activation="softmax")],
    loss="categorical_crossentropy", optimizer=adam, target="onehot", n_out=4,
    metrics=lambda: ["accuracy", keras.metrics.TopKCategoricalAccuracy(k=2)])

fixture(
    "schedule_adam",
    "Dense(5, relu) -> Dense(3, softmax); sparse CCE + Adam(ExponentialDecay(0.01, decay_steps=10, "
    "decay_rate=0.9))",
    lambda: [keras.Input((6,)), layers.Dense(5, activation="relu"),
             layers.Dense(3, activation="softmax")],
    loss="sparse_categorical_crossentropy",
    optimizer=lambda: keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.ExponentialDecay(
        0.01, decay_steps=10, decay_rate=0.9)),
    target="sparse", n_out=3, weights_h5=True)

fixture(
    "schedule_cosine_adam",
    "Dense(5, relu) -> Dense(3, softmax); sparse CCE + Adam(CosineDecay(0.01, decay_steps=20))",
    lambda: [keras.Input((6,)), layers.Dense(5, activation="relu"),
             layers.Dense(3, activation="softmax")],
    loss="sparse_categorical_crossentropy",
    optimizer=lambda: keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.CosineDecay(
        0.01, decay_steps=20)),
    target="sparse", n_out=3)

fixture(
    "frozen_named_adam",
    "Dense(5, relu, name='encoder', trainable=False) -> BatchNormalization(trainable=False) -> "
    "Dense(3, softmax, name='head'); sparse CCE + Adam(0.01): names apart from the weights file's keys, "
    "frozen layers (the batch norm in inference mode) and optimizer slots for the trainable weights alone",
    lambda: [keras.Input((6,)), layers.Dense(5, activation="relu", name="encoder", trainable=False),
             layers.BatchNormalization(trainable=False), layers.Dense(3, activation="softmax", name="head")],
    loss="sparse_categorical_crossentropy", optimizer=adam, target="sparse", n_out=3, weights_h5=True)


# --------------------------------------------------------------------------------------------
# writing


def describe(obj):
    """A short string for a loss or optimizer given by name or object."""
    if isinstance(obj, str):
        return obj
    return keras.saving.serialize_keras_object(obj)


def clean_json(value):
    """Makes keras configs JSON-serialisable (numpy scalars)."""
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def remove_previous(out_dir):
    """Deletes the files of fixtures listed in an existing manifest, so renamed fixtures do not linger."""
    manifest = out_dir / "manifest.json"
    if not manifest.exists():
        return
    for entry in json.loads(manifest.read_text()).get("fixtures", []):
        for suffix in (".keras", ".weights.h5", ".x.npy", ".pred.npy", ".train_x.npy",
                       ".train_y.npy", ".next_pred.npy"):
            path = out_dir / (entry["name"] + suffix)
            if path.exists():
                path.unlink()


def make_one(index, spec, out_dir):
    name = spec["name"]
    seed = 1000 + index
    # Fresh name counters per fixture: layers are named dense, dense_1, ... and the optimizer adam,
    # whatever order the fixtures are made in.
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(spec["build"](), name=name)
    input_shape = tuple(model.inputs[0].shape[1:])
    loss = spec["loss"]() if callable(spec["loss"]) else spec["loss"]
    optimizer = spec["optimizer"]()
    metrics = spec["metrics"]() if callable(spec["metrics"]) else spec["metrics"]
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)

    train_x, train_y, x = make_data(seed, input_shape, spec["target"], spec["n_out"])
    history = model.fit(train_x, train_y, batch_size=len(train_x), epochs=3, shuffle=False, verbose=0)
    pred = model.predict(x, verbose=0).astype(np.float32)

    model.save(out_dir / f"{name}.keras")
    if spec["weights_h5"]:
        model.save_weights(out_dir / f"{name}.weights.h5")
    np.save(out_dir / f"{name}.x.npy", x)
    np.save(out_dir / f"{name}.pred.npy", pred)
    np.save(out_dir / f"{name}.train_x.npy", train_x)
    np.save(out_dir / f"{name}.train_y.npy", train_y)

    has_next = not spec["has_dropout"]
    if has_next:
        model.fit(train_x, train_y, batch_size=len(train_x), epochs=1, shuffle=False, verbose=0)
        np.save(out_dir / f"{name}.next_pred.npy", model.predict(x, verbose=0).astype(np.float32))

    return {
        "name": name,
        "description": spec["description"],
        "seed": seed,
        "loss": clean_json(describe(loss)),
        "optimizer": clean_json(keras.optimizers.serialize(optimizer)),
        "metrics": [m if isinstance(m, str) else clean_json(describe(m)) for m in (metrics or [])],
        "input_shape": list(input_shape),
        "output_shape": list(pred.shape[1:]),
        "train_y": {"dtype": str(train_y.dtype), "shape": list(train_y.shape), "kind": spec["target"]},
        "train_rows": TRAIN_ROWS,
        "x_rows": X_ROWS,
        "epochs_before_save": 3,
        "batch_size": TRAIN_ROWS,
        "has_dropout": spec["has_dropout"],
        "next_pred": has_next,
        "weights_h5": spec["weights_h5"],
        "history": clean_json({k: [float(v) for v in vs] for k, vs in history.history.items()}),
    }


def main(argv):
    out_arg = argv[1] if len(argv) > 1 else DEFAULT_OUT
    out_dir = Path(out_arg)
    if not out_dir.is_absolute():
        out_dir = REPO_ROOT / out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_previous(out_dir)

    entries = []
    for index, spec in enumerate(FIXTURES):
        entry = make_one(index, spec, out_dir)
        entries.append(entry)
        print(f"{entry['name']:28s} input {entry['input_shape']} -> {entry['output_shape']}"
              f"  next_pred={entry['next_pred']}  weights_h5={entry['weights_h5']}")

    manifest = {
        "generator": "tools/keras-fixtures/make_fixtures.py",
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "numpy_version": np.__version__,
        "fit": "model.fit(train_x, train_y, batch_size=len(train_x), epochs=3, shuffle=False); "
               "next_pred: one more identical epoch after saving",
        "fixtures": entries,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {len(entries)} fixtures to {out_dir}")


if __name__ == "__main__":
    main(sys.argv)
