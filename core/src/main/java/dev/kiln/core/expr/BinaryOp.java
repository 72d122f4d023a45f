package dev.kiln.core.expr;

/**
 * An elementwise function of two values with its partial derivatives. Comparisons give 1 or 0 and pass
 * no gradient. Maximum and minimum split the gradient evenly between equal operands, as JAX does.
 *
 * <pre>{@code
 * float y = BinaryOp.MAXIMUM.apply(2f, 3f); // 3
 * }</pre>
 */
public enum BinaryOp {
    ADD {
        @Override
        float apply(float a, float b) {
            return a + b;
        }

        @Override
        float da(float a, float b, float y) {
            return 1f;
        }

        @Override
        float db(float a, float b, float y) {
            return 1f;
        }
    },
    SUBTRACT {
        @Override
        float apply(float a, float b) {
            return a - b;
        }

        @Override
        float da(float a, float b, float y) {
            return 1f;
        }

        @Override
        float db(float a, float b, float y) {
            return -1f;
        }
    },
    MULTIPLY {
        @Override
        float apply(float a, float b) {
            return a * b;
        }

        @Override
        float da(float a, float b, float y) {
            return b;
        }

        @Override
        float db(float a, float b, float y) {
            return a;
        }
    },
    DIVIDE {
        @Override
        float apply(float a, float b) {
            return a / b;
        }

        @Override
        float da(float a, float b, float y) {
            return 1f / b;
        }

        @Override
        float db(float a, float b, float y) {
            return -y / b;
        }
    },
    POWER {
        @Override
        float apply(float a, float b) {
            return (float) Math.pow(a, b);
        }

        @Override
        float da(float a, float b, float y) {
            return b == 0f ? 0f : (float) (b * Math.pow(a, b - 1));
        }

        @Override
        float db(float a, float b, float y) {
            return a > 0f ? (float) (y * Math.log(a)) : 0f;
        }
    },
    MAXIMUM {
        @Override
        float apply(float a, float b) {
            return Math.max(a, b);
        }

        @Override
        float da(float a, float b, float y) {
            return a > b ? 1f : a == b ? 0.5f : 0f;
        }

        @Override
        float db(float a, float b, float y) {
            return b > a ? 1f : a == b ? 0.5f : 0f;
        }
    },
    MINIMUM {
        @Override
        float apply(float a, float b) {
            return Math.min(a, b);
        }

        @Override
        float da(float a, float b, float y) {
            return a < b ? 1f : a == b ? 0.5f : 0f;
        }

        @Override
        float db(float a, float b, float y) {
            return b < a ? 1f : a == b ? 0.5f : 0f;
        }
    },
    GREATER {
        @Override
        float apply(float a, float b) {
            return a > b ? 1f : 0f;
        }
    },
    GREATER_EQUAL {
        @Override
        float apply(float a, float b) {
            return a >= b ? 1f : 0f;
        }
    },
    LESS {
        @Override
        float apply(float a, float b) {
            return a < b ? 1f : 0f;
        }
    },
    LESS_EQUAL {
        @Override
        float apply(float a, float b) {
            return a <= b ? 1f : 0f;
        }
    },
    EQUAL {
        @Override
        float apply(float a, float b) {
            return a == b ? 1f : 0f;
        }
    };

    abstract float apply(float a, float b);

    /** ∂y/∂a; zero for the comparisons, whose result is a step. */
    float da(float a, float b, float y) {
        return 0f;
    }

    /** ∂y/∂b. */
    float db(float a, float b, float y) {
        return 0f;
    }
}
