package dev.kiln.core.expr;

/**
 * An elementwise function of one value with its derivative, which may read the input x or the
 * output y (whichever is cheaper: exp's derivative is its own output).
 *
 * <pre>{@code
 * float y = UnaryOp.SQUARE.apply(3f); // 9
 * }</pre>
 */
public enum UnaryOp {
    NEGATIVE {
        @Override
        float apply(float x) {
            return -x;
        }

        @Override
        float derivative(float x, float y) {
            return -1f;
        }
    },
    SQUARE {
        @Override
        float apply(float x) {
            return x * x;
        }

        @Override
        float derivative(float x, float y) {
            return 2f * x;
        }
    },
    SQRT {
        @Override
        float apply(float x) {
            return (float) Math.sqrt(x);
        }

        @Override
        float derivative(float x, float y) {
            return 0.5f / y;
        }
    },
    ABS {
        @Override
        float apply(float x) {
            return Math.abs(x);
        }

        @Override
        float derivative(float x, float y) {
            return Math.signum(x);
        }
    },
    EXP {
        @Override
        float apply(float x) {
            return (float) Math.exp(x);
        }

        @Override
        float derivative(float x, float y) {
            return y;
        }
    },
    LOG {
        @Override
        float apply(float x) {
            return (float) Math.log(x);
        }

        @Override
        float derivative(float x, float y) {
            return 1f / x;
        }
    },
    LOG1P {
        @Override
        float apply(float x) {
            return (float) Math.log1p(x);
        }

        @Override
        float derivative(float x, float y) {
            return 1f / (1f + x);
        }
    },
    RELU {
        @Override
        float apply(float x) {
            return x > 0f ? x : 0f;
        }

        @Override
        float derivative(float x, float y) {
            return x > 0f ? 1f : 0f;
        }
    },
    SIGMOID {
        @Override
        float apply(float x) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }

        @Override
        float derivative(float x, float y) {
            return y * (1f - y);
        }
    },
    TANH {
        @Override
        float apply(float x) {
            return (float) Math.tanh(x);
        }

        @Override
        float derivative(float x, float y) {
            return 1f - y * y;
        }
    },
    SOFTPLUS {
        @Override
        float apply(float x) {
            // log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)
            return (float) (Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))));
        }

        @Override
        float derivative(float x, float y) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
    };

    abstract float apply(float x);

    /** dy/dx at input {@code x} whose output is {@code y}. */
    abstract float derivative(float x, float y);
}
