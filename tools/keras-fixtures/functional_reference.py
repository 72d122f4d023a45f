# Prints the numbers FunctionalModelTest compares Kiln with: a residual block and a two-input model
# (concatenation, multiplicative gate) given fixed weights, their predictions, and their loss and
# predictions after one SGD step on one batch. Run with the Python of ../shared/peers/keras-peer:
#   KERAS_BACKEND=jax python tools/keras-fixtures/functional_reference.py
import os
os.environ["KERAS_BACKEND"]="jax"
import numpy as np, keras
from keras import layers

def w(role, shape):
    n = int(np.prod(shape))
    i = np.arange(n)
    v = (((role * 7919 + i * 104729) % 2001) - 1000) / 1000.0 * 0.5
    return v.reshape(shape).astype(np.float32)

def x(rows, cols, salt):
    i = np.arange(rows * cols)
    return ((((i * 37 + salt * 101) % 97) - 48) / 24.0).reshape(rows, cols).astype(np.float32)

def setw(layer, role):
    k, b = layer.get_weights()
    layer.set_weights([w(role, k.shape), w(role + 50, b.shape)])

np.set_printoptions(precision=9, floatmode='unique', linewidth=200)
def show(name, a):
    print(name, "=", "{" + ", ".join("{" + ", ".join(repr(float(v)) + "f" for v in row) + "}" for row in np.asarray(a)) + "};")

# residual
inp = keras.Input((6,))
d0 = layers.Dense(8, activation="relu"); d1 = layers.Dense(8, activation="tanh"); d2 = layers.Dense(3, activation="softmax")
h = d0(inp); r = d1(h); out = d2(layers.Add()([h, r]))
m = keras.Model(inp, out)
setw(d0, 1); setw(d1, 2); setw(d2, 3)
m.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
X = x(5, 6, 1); Y = np.array([0, 2, 1, 1, 0])
show("RESIDUAL_BEFORE", m.predict(X, verbose=0))
hist = m.fit(X, Y, batch_size=5, epochs=1, shuffle=False, verbose=0)
print("RESIDUAL_LOSS =", hist.history["loss"][0])
show("RESIDUAL_AFTER", m.predict(X, verbose=0))

# two inputs
a = keras.Input((4,)); b = keras.Input((3,))
da = layers.Dense(5, activation="relu"); db = layers.Dense(2); dg = layers.Dense(4, activation="sigmoid"); dv = layers.Dense(4); do = layers.Dense(2)
c = layers.Concatenate()([da(a), db(b)])
out = do(layers.Multiply()([dg(c), dv(c)]))
m = keras.Model([a, b], out)
setw(da, 11); setw(db, 12); setw(dg, 13); setw(dv, 14); setw(do, 15)
m.compile(keras.optimizers.SGD(0.1), "mse")
A = x(6, 4, 2); B = x(6, 3, 3); T = x(6, 2, 4)
show("TWO_BEFORE", m.predict([A, B], verbose=0))
hist = m.fit([A, B], T, batch_size=6, epochs=1, shuffle=False, verbose=0)
print("TWO_LOSS =", hist.history["loss"][0])
show("TWO_AFTER", m.predict([A, B], verbose=0))

# siamese: one Dense (a shared layer) encodes both inputs; one kernel and bias, trained by both uses
a = keras.Input((4,)); b = keras.Input((4,))
enc = layers.Dense(3, activation="tanh"); head = layers.Dense(2)
out = head(layers.Concatenate()([enc(a), enc(b)]))
m = keras.Model([a, b], out)
print("SIAMESE_LAYERS =", [type(l).__name__ for l in m.layers], "weights", len(m.weights))
setw(enc, 21); setw(head, 22)
m.compile(keras.optimizers.SGD(0.1), "mse")
A = x(5, 4, 5); B = x(5, 4, 6); T = x(5, 2, 7)
show("SIAMESE_BEFORE", m.predict([A, B], verbose=0))
hist = m.fit([A, B], T, batch_size=5, epochs=1, shuffle=False, verbose=0)
print("SIAMESE_LOSS =", hist.history["loss"][0])
show("SIAMESE_AFTER", m.predict([A, B], verbose=0))
show("SIAMESE_KERNEL_AFTER", enc.get_weights()[0])

# several outputs: a class head, a code head that also feeds a value head; a loss per output, loss
# weights, metrics per output; History keys and per-output losses
inp = keras.Input((5,))
dh = layers.Dense(6, activation="relu", name="hidden"); dc = layers.Dense(3, activation="softmax", name="cls")
dk = layers.Dense(4, activation="tanh", name="code"); dv = layers.Dense(2, name="value")
h = dh(inp); code = dk(h)
m = keras.Model(inp, [dc(h), code, dv(code)])
print("MULTI_LAYERS =", [l.name for l in m.layers])
setw(dh, 31); setw(dc, 32); setw(dk, 33); setw(dv, 34)
m.compile(keras.optimizers.SGD(0.1), loss=["sparse_categorical_crossentropy", "mse", "mse"],
          loss_weights=[0.7, 1.5, 0.5], metrics=[["accuracy"], [], ["mae"]])
X = x(7, 5, 8); YC = np.array([0, 2, 1, 1, 0, 2, 2]); YK = x(7, 4, 9); YV = x(7, 2, 10)
before = m.predict(X, verbose=0)
show("MULTI_CLS_BEFORE", before[0]); show("MULTI_VAL_BEFORE", before[2])
hist = m.fit(X, [YC, YK, YV], batch_size=7, epochs=1, shuffle=False, verbose=0)
print("MULTI_HISTORY =", {k: v[0] for k, v in hist.history.items()})
after = m.predict(X, verbose=0)
show("MULTI_CLS_AFTER", after[0]); show("MULTI_CODE_AFTER", after[1]); show("MULTI_VAL_AFTER", after[2])
print("MULTI_EVALUATE =", m.evaluate(X, [YC, YK, YV], verbose=0, return_dict=True))
