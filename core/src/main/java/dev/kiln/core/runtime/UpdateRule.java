package dev.kiln.core.runtime;

/**
 * How the optimizer turns a gradient into a weight update; each rule's hyper-parameters are fixed at
 * compile time except the learning rate, which the compiled graph lets its caller change.
 */
public sealed interface UpdateRule {
    public float learningRate();

    /** Per-parameter state buffers the rule keeps (momentum, second moments, accumulators). */
    public int slots();

    /** The value each slot starts at. */
    default float initialSlotValue() {
        return 0f;
    }

    /** True when slot {@code slot} holds a running sum or mean of squares, which can never be negative. */
    default boolean slotNonNegative(int slot) {
        return false;
    }

    /** w −= lr·g, or with momentum m = μm − lr·g and w += m (Nesterov: w += μm − lr·g). */
    record GradientDescent(float learningRate, float momentum, boolean nesterov) implements UpdateRule {
        public GradientDescent {
            requireNonNegative("learning rate", learningRate);
            if (!(momentum >= 0f && momentum <= 1f)) {
                throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
            }
        }

        @Override
        public int slots() {
            return momentum == 0f ? 0 : 1;
        }
    }

    /**
     * Adam with the bias correction folded into the step size and ε added to the uncorrected √v;
     * {@code weightDecay} > 0 makes it AdamW (w −= w·wd·lr before the update).
     */
    record Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) implements UpdateRule {
        public Adam {
            requireNonNegative("learning rate", learningRate);
            requireUnit("beta_1", beta1);
            requireUnit("beta_2", beta2);
            requireNonNegative("epsilon", epsilon);
            requireNonNegative("weight decay", weightDecay);
        }

        @Override
        public int slots() {
            return 2;
        }

        /** The second moment v. */
        @Override
        public boolean slotNonNegative(int slot) {
            return slot == 1;
        }
    }

    /** v = ρv + (1−ρ)g²; w −= lr·g/√(v + ε). */
    record RmsProp(float learningRate, float rho, float epsilon) implements UpdateRule {
        public RmsProp {
            requireNonNegative("learning rate", learningRate);
            requireUnit("rho", rho);
            requireNonNegative("epsilon", epsilon);
        }

        @Override
        public int slots() {
            return 1;
        }

        @Override
        public boolean slotNonNegative(int slot) {
            return true;
        }
    }

    /** a += g²; w −= lr·g/√(a + ε), the accumulator starting at {@code initialAccumulator}. */
    record Adagrad(float learningRate, float initialAccumulator, float epsilon) implements UpdateRule {
        public Adagrad {
            requireNonNegative("learning rate", learningRate);
            requireNonNegative("initial accumulator value", initialAccumulator);
            requireNonNegative("epsilon", epsilon);
        }

        @Override
        public int slots() {
            return 1;
        }

        @Override
        public float initialSlotValue() {
            return initialAccumulator;
        }

        @Override
        public boolean slotNonNegative(int slot) {
            return true;
        }
    }

    private static void requireNonNegative(String what, float value) {
        if (!(value >= 0f) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + value);
        }
    }

    private static void requireUnit(String what, float value) {
        if (!(value >= 0f && value < 1f)) {
            throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
        }
    }
}
