package dev.kiln.core.kernel;

/**
 * The activation functions a dense layer can fuse, with Keras' defaults (leaky ReLU slope 0.2, ELU
 * alpha 1, exact GELU). {@link #apply} and {@link #derivative} are plain scalar references for tests
 * and documentation; the kernels use {@link ActivationKernels}.
 *
 * <pre>{@code
 * float y = Activation.GELU.apply(1f);                     // 0.8413447
 * float slope = Activation.TANH.derivative(0.5f, (float) Math.tanh(0.5)); // 1 − y²
 * }</pre>
 */
public enum Activation {
    /** f(z) = z. */
    LINEAR {
        @Override
        double value(double z) {
            return z;
        }

        @Override
        double slope(double z, double y) {
            return 1.0;
        }
    },
    /** f(z) = max(0, z); f' = 1 where y > 0, else 0. */
    RELU {
        @Override
        double value(double z) {
            return z > 0 ? z : 0.0;
        }

        @Override
        double slope(double z, double y) {
            return y > 0 ? 1.0 : 0.0;
        }
    },
    /** f(z) = 1 / (1 + e^(−z)); f' = y(1 − y). */
    SIGMOID {
        @Override
        double value(double z) {
            return sigmoid(z);
        }

        @Override
        double slope(double z, double y) {
            return y * (1.0 - y);
        }
    },
    /** f(z) = tanh z; f' = 1 − y². */
    TANH {
        @Override
        double value(double z) {
            return Math.tanh(z);
        }

        @Override
        double slope(double z, double y) {
            return 1.0 - y * y;
        }
    },
    /** f(z) = z for z > 0, else 0.2·z (Keras' default negative slope). */
    LEAKY_RELU {
        @Override
        double value(double z) {
            return z > 0 ? z : LEAKY_SLOPE * z;
        }

        @Override
        double slope(double z, double y) {
            return y > 0 ? 1.0 : LEAKY_SLOPE;
        }
    },
    /** f(z) = z for z > 0, else e^z − 1 (alpha 1); f' = 1 where y > 0, else y + 1. */
    ELU {
        @Override
        double value(double z) {
            return z > 0 ? z : Math.expm1(z);
        }

        @Override
        double slope(double z, double y) {
            return y > 0 ? 1.0 : y + 1.0;
        }
    },
    /** Exact GELU: f(z) = z·Φ(z) = ½z(1 + erf(z/√2)); f' = Φ(z) + z·φ(z), which needs z. */
    GELU {
        @Override
        double value(double z) {
            return z * normalCdf(z);
        }

        @Override
        double slope(double z, double y) {
            return normalCdf(z) + z * Math.exp(-0.5 * z * z) / Math.sqrt(2.0 * Math.PI);
        }

        @Override
        public boolean derivativeNeedsInput() {
            return true;
        }
    },
    /** SiLU (swish): f(z) = z·σ(z); f' = σ(z)(1 + z(1 − σ(z))), which needs z. */
    SILU {
        @Override
        double value(double z) {
            return z * sigmoid(z);
        }

        @Override
        double slope(double z, double y) {
            double s = sigmoid(z);
            return s * (1.0 + z * (1.0 - s));
        }

        @Override
        public boolean derivativeNeedsInput() {
            return true;
        }
    },
    /** Row-wise softmax over the last axis; not elementwise, see {@link ActivationKernels#softmaxForward}. */
    SOFTMAX {
        @Override
        double value(double z) {
            throw notElementwise(SOFTMAX);
        }

        @Override
        double slope(double z, double y) {
            throw notElementwise(SOFTMAX);
        }

        @Override
        public boolean isElementwise() {
            return false;
        }
    };

    /** Keras' keras.activations.leaky_relu default negative slope. */
    static final double LEAKY_SLOPE = 0.2;

    /** f(z), computed in double and rounded once. */
    public float apply(float z) {
        return (float) value(z);
    }

    /** f'(z) given the input z and the output y = f(z); each function reads whichever it needs. */
    public float derivative(float z, float y) {
        return (float) slope(z, y);
    }

    /** False only for {@link #SOFTMAX}, which couples the elements of a row. */
    public boolean isElementwise() {
        return true;
    }

    /** True where f' cannot be recovered from y alone, so the pre-activation z must be kept for backward. */
    public boolean derivativeNeedsInput() {
        return false;
    }

    /** The double-precision reference, also used by the finite-difference tests. */
    abstract double value(double z);

    /** The double-precision derivative reference. */
    abstract double slope(double z, double y);

    private static double sigmoid(double z) {
        // Built from e^(−|z|) ≤ 1 so neither branch can overflow.
        double e = Math.exp(-Math.abs(z));
        return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }

    private static double normalCdf(double z) {
        return 0.5 * ErrorFunction.erfc(-z / Math.sqrt(2.0));
    }

    private static IllegalArgumentException notElementwise(Activation a) {
        return new IllegalArgumentException(
                "activation " + a + " is row-wise, not elementwise; use ActivationKernels.softmaxForward/softmaxBackward");
    }
}
