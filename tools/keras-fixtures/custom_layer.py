"""Writes api/src/test/resources/dev/kiln/keras-custom/gated.keras: a Sequential model with a user's layer
registered as "my_pkg>Gated" (a kernel, a bias and a scalar weight, call written with keras.ops), which
CustomLayerTest loads with the same layer written with Kiln's Ops. Run with KERAS_BACKEND=jax (Keras 3.15.1)."""
import sys

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="my_pkg")
class Gated(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2), initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(2,), initializer="zeros", name="bias")
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, x):
        return ops.tanh(ops.matmul(x, self.kernel) + self.bias) * self.scale + ops.mean(x, axis=-1, keepdims=True)


model = keras.Sequential([keras.Input((3,)), Gated()])
model.set_weights([np.array([0.2, -0.3, 0.1, 0.4, -0.5, 0.25], np.float32).reshape(3, 2),
                   np.array([0.01, -0.02], np.float32), np.array(1.5, np.float32)])
model.compile("sgd", "mse")
model.save(sys.argv[1] if len(sys.argv) > 1 else "gated.keras")
print(model.predict(np.array([[0.1, -0.2, 0.3]], np.float32), verbose=0).tolist())
