package dev.kiln.data;

import dev.kiln.core.memory.Tensor;
import java.util.Arrays;

/**
 * How the readers size their arrays: by the data that has actually arrived, never by a count a file
 * claims. An array starts small and doubles as values come in, up to the claimed total, so a header that
 * promises two billion items but is followed by a million costs memory for about a million (at most twice
 * that, plus the copy while growing).
 */
final class ArrayGrowth {
    /**
     * The longest array every JVM agrees to allocate, as for {@link Tensor#toArray()}; a file claiming more
     * items or bytes than this is refused from its header.
     */
    static final int MAX_LENGTH = Tensor.MAX_ARRAY_LENGTH;

    private ArrayGrowth() {
    }

    /** {@code array} itself when it holds {@code needed} values, else a copy at least that long. */
    static int[] toHold(int[] array, int needed, int limit) {
        return needed <= array.length ? array : Arrays.copyOf(array, grownLength(array.length, needed, limit));
    }

    static float[] toHold(float[] array, int needed, int limit) {
        return needed <= array.length ? array : Arrays.copyOf(array, grownLength(array.length, needed, limit));
    }

    static <T> T[] toHold(T[] array, int needed, int limit) {
        return needed <= array.length ? array : Arrays.copyOf(array, grownLength(array.length, needed, limit));
    }

    /** Twice the length (so growing to n values copies fewer than 2n), at least {@code needed}, at most {@code limit}. */
    static int grownLength(int length, int needed, int limit) {
        long doubled = Math.max(2L * length, needed);
        return (int) Math.min(doubled, limit);
    }
}
