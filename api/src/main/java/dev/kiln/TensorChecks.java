package dev.kiln;

import dev.kiln.core.kernel.FiniteScan;
import dev.kiln.core.memory.Tensor;
import java.util.Arrays;

/**
 * Checks a Tensor a user passes as x or y before it reaches the engine: its memory must still be
 * alive (a tensor from a closed arena would otherwise fail deep inside a row copy) and every element
 * finite, as for arrays. One vector pass, cheap next to a single epoch.
 */
final class TensorChecks {
    private TensorChecks() {
    }

    static void requireUsable(Tensor t, String what) {
        if (!t.segment().scope().isAlive()) {
            throw new IllegalStateException(what + " tensor " + t + " was freed: the arena that held it is closed");
        }
        long bad = FiniteScan.firstNonFinite(t.segment(), 0, t.size());
        if (bad >= 0) {
            int width = Math.max(1, t.rowWidth());
            throw new IllegalArgumentException(what + "[" + bad / width + "][" + bad % width + "] is " + t.get(bad)
                    + ": " + (what.endsWith("y") ? "targets" : "inputs") + " must be finite numbers (tensor shape "
                    + Arrays.toString(t.shape()) + ")");
        }
    }
}
