# Writes the functional models FunctionalFilesTest opens: Keras 3 trains each for 3 full-batch steps,
# saves it as .keras, and records inputs, its predictions, and its predictions after one more step
# (for a model with several outputs, targets and predictions per output: y0, y1, pred0, pred1, ...).
# Names after the folder write only those fixtures, leaving the others' files as they are.
#   KERAS_BACKEND=jax python tools/keras-fixtures/make_functional_fixtures.py api/src/test/resources/dev/kiln/keras/functional [two_outputs]
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

ROWS = 16


def residual():
    inp = keras.Input((6,))
    h = layers.Dense(8, activation="relu")(inp)
    out = layers.Dense(3, activation="softmax")(layers.Add()([h, layers.Dense(8, activation="tanh")(h)]))
    model = keras.Model(inp, out)
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(1)
    x = rng.normal(size=(ROWS, 6)).astype(np.float32)
    y = rng.integers(0, 3, size=ROWS).astype(np.int32)
    return model, [x], y


def two_inputs():
    # Named and created out of order on purpose: Keras keys the weights by class and place in its own
    # order of the layers (b_in's Dense "late" is the file's dense_2), not by these names.
    b = keras.Input((3,), name="b_in")
    a = keras.Input((4,))
    late = layers.Dense(2, name="late")
    h = layers.Dense(5, activation="relu")(a)
    s = layers.Add()([h, layers.Dense(5)(h)])
    c = layers.Concatenate()([s, late(b)])
    gated = layers.Multiply()([layers.Dense(4, activation="sigmoid")(c), layers.Dense(4)(c)])
    model = keras.Model([a, b], layers.Dense(2)(gated))
    model.compile(keras.optimizers.SGD(0.05, momentum=0.9), "mse", metrics=["mae"])
    rng = np.random.default_rng(2)
    xa = rng.normal(size=(ROWS, 4)).astype(np.float32)
    xb = rng.normal(size=(ROWS, 3)).astype(np.float32)
    y = rng.normal(size=(ROWS, 2)).astype(np.float32)
    return model, [xa, xb], y


def siamese():
    # Shared layers: one encoder reads both inputs, and one block is applied to its own output. Each
    # is one layer in Keras' list, with one set of weights and an inbound node per application.
    a = keras.Input((4,))
    b = keras.Input((4,))
    encoder = layers.Dense(5, activation="relu")
    c = layers.Concatenate()([encoder(a), encoder(b)])
    block = layers.Dense(10, activation="tanh")
    model = keras.Model([a, b], layers.Dense(2)(layers.Add()([c, block(block(c))])))
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    rng = np.random.default_rng(3)
    xa = rng.normal(size=(ROWS, 4)).astype(np.float32)
    xb = rng.normal(size=(ROWS, 4)).astype(np.float32)
    y = rng.normal(size=(ROWS, 2)).astype(np.float32)
    return model, [xa, xb], y


def two_outputs():
    # Several outputs: a class head and a value head read by nothing else, a loss, loss weight and
    # metrics per output (Keras writes them as lists in compile_config).
    inp = keras.Input((5,))
    h = layers.Dense(6, activation="relu", name="hidden")(inp)
    kind = layers.Dense(3, activation="softmax", name="kind")(h)
    size = layers.Dense(2, name="size")(layers.Dense(4, activation="tanh")(h))
    model = keras.Model(inp, [kind, size])
    model.compile(keras.optimizers.Adam(0.01), loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[0.5, 2.0], metrics=[["accuracy"], ["mae"]])
    rng = np.random.default_rng(4)
    x = rng.normal(size=(ROWS, 5)).astype(np.float32)
    y = [rng.integers(0, 3, size=ROWS).astype(np.int32), rng.normal(size=(ROWS, 2)).astype(np.float32)]
    return model, [x], y


def save_each(out, stem, arrays):
    if isinstance(arrays, list):
        for k, a in enumerate(arrays):
            np.save(out / f"{stem}{k}.npy", np.asarray(a))
    else:
        np.save(out / f"{stem}.npy", arrays)


def main(out_dir, only):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    makers = [("residual", residual), ("two_inputs", two_inputs), ("siamese", siamese), ("two_outputs", two_outputs)]
    for name, make in makers:
        if only and name not in only:
            continue
        keras.backend.clear_session()
        keras.utils.set_random_seed(7)
        model, xs, y = make()
        model.fit(xs, y, batch_size=ROWS, epochs=3, shuffle=False, verbose=0)
        model.save(out / f"{name}.keras")
        for i, x in enumerate(xs):
            np.save(out / f"{name}.x{i}.npy", x)
        save_each(out, f"{name}.y", y)
        save_each(out, f"{name}.pred", model.predict(xs, verbose=0))
        model.fit(xs, y, batch_size=ROWS, epochs=1, shuffle=False, verbose=0)
        save_each(out, f"{name}.next_pred", model.predict(xs, verbose=0))
        print(name, [l.name for l in model.layers])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
