package dev.kiln.core.exec;

/**
 * Work that a {@link KernelPool} splits into {@code parts} pieces. Implementations are long-lived
 * objects bound to their buffers at compile time, so dispatching one allocates nothing.
 */
@FunctionalInterface
public interface ParallelBody {
    /** Runs piece {@code part} of {@code parts}; pieces must write disjoint outputs. */
    void run(int part, int parts);

    /** The start of piece {@code part} when {@code total} items are split into {@code parts} nearly equal runs. */
    static int start(int total, int part, int parts) {
        return (int) ((long) total * part / parts);
    }

    /** Like {@link #start} but the boundaries fall on multiples of {@code grain} (except the last). */
    static int alignedStart(int total, int part, int parts, int grain) {
        if (part >= parts) {
            return total;
        }
        int chunks = (total + grain - 1) / grain;
        return Math.min(total, (int) ((long) chunks * part / parts) * grain);
    }
}
