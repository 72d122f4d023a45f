package dev.kiln.core.exec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The private scratch each part of a split brings to a kernel, grown to the number of parts on the call
 * that first uses that many and kept from then on: a step allocates only when the pool has grown.
 */
final class PartScratch {
    private PartScratch() {
    }

    /** {@code current} when it has {@code parts} arrays, else a longer array of arrays keeping those it had. */
    static float[][] arrays(float[][] current, int parts, int floats) {
        if (current.length >= parts) {
            return current;
        }
        float[][] grown = new float[parts][];
        for (int i = 0; i < parts; i++) {
            grown[i] = i < current.length ? current[i] : new float[floats];
        }
        return grown;
    }

    /**
     * The same for off-heap buffers (kernels whose register tile stores to memory segments), 64-byte aligned;
     * their memory goes when the step that holds them is dropped (a rebuilt workspace).
     */
    static MemorySegment[] segments(MemorySegment[] current, int parts, long floats) {
        if (current.length >= parts) {
            return current;
        }
        MemorySegment[] grown = new MemorySegment[parts];
        for (int i = 0; i < parts; i++) {
            grown[i] = i < current.length ? current[i] : Arena.ofAuto().allocate(floats * Float.BYTES, 64);
        }
        return grown;
    }
}
