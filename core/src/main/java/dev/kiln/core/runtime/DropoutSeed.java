package dev.kiln.core.runtime;

/**
 * The random stream of a graph's dropout masks: a base seed and a per-step counter, mixed so that
 * every step and every dropout node draws an independent mask.
 */
public final class DropoutSeed {
    private final int salt;
    private long base;
    private long step;

    /** {@code salt} tells apart the dropout nodes of one graph. */
    public DropoutSeed(long base, int salt) {
        this.base = base;
        this.salt = salt;
    }

    public void reseed(long newBase) {
        base = newBase;
        step = 0;
    }

    public long base() {
        return base;
    }

    public long step() {
        return step;
    }

    /** Puts the stream back at {@code step} steps after {@code newBase}, e.g. when resuming from a file. */
    public void restore(long newBase, long newStep) {
        base = newBase;
        step = newStep;
    }

    /** Called once per training step, before the forward pass. */
    public void advance() {
        step++;
    }

    public int current() {
        long z = base + 0x9E3779B97F4A7C15L * (step * 31 + salt + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31));
    }
}
