package dev.kiln.core.runtime;

/**
 * How an optimizer turns gradients into weight updates. A rule is an immutable value of its
 * hyper-parameters and owns everything about its update: how many slots (per-weight state buffers)
 * it keeps and what they start at, the kernel call over a range of the parameter buffer, the scalars
 * each step computes once (Adam's bias-corrected step size), and the bound that proves an update of
 * tame state finite ({@link TameBounds}). {@link UpdateStep} only dispatches to it and checks.
 *
 * <p>Each compiled graph {@linkplain #bind binds} the rule to its own buffers, so one rule value may
 * serve many graphs at once; the bound update holds the scalars of the step being taken.
 *
 * <pre>{@code
 * UpdateRule rule = new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f);
 * UpdateRule.Bound update = rule.bind(new UpdateBuffers(weights, gradients, List.of(m, v)));
 * update.prepare(1, rule.learningRate());
 * if (update.update(0, size, false)) {
 *     update.update(0, size, true);
 * }
 * }</pre>
 */
public interface UpdateRule {
    /** The learning rate a compiled graph starts with; it may change it between steps. */
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

    /** This rule's update of {@code buffers}, which hold {@link #slots()} slot buffers. */
    public Bound bind(UpdateBuffers buffers);

    /** A rule's update of one graph's buffers, with the scalars of the step being taken. */
    interface Bound {
        /**
         * Computes what update number {@code step} (counting from 1) at {@code learningRate} needs beyond
         * the hyper-parameters; runs on one thread before any pass of that step, so every part of a split
         * pass reads the same scalars.
         */
        public void prepare(long step, float learningRate);

        /**
         * Updates elements [from, to) of the buffers with the prepared scalars, in one of the two modes of
         * {@link dev.kiln.core.kernel.OptimizerKernels}: {@code write} false stores nothing and answers
         * whether every new weight and slot would be finite; {@code write} true stores them and answers
         * whether what it stored is tame. The same element gets the same bits for any split of the range.
         */
        public boolean update(long from, long to, boolean write);

        /**
         * Whether tame weights and slots and tame gradients ({@link TameBounds}) give a finite update at
         * the prepared scalars. It must bound every intermediate product the kernel forms, not only the
         * result: a step divided by ε > 1 is smaller than the product it is divided from, but that product
         * must not overflow first. False whenever in doubt: the exact check then runs.
         */
        public boolean tameUpdateStaysFinite();
    }
}
