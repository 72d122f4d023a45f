package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** The forward step both elementwise merges share: out = x₀ ∘ x₁ ∘ … for one pairwise kernel ∘. */
final class ElementwiseMerge {
    /** {@code out = a ∘ b} over the float range [from, to); out may alias a. */
    @FunctionalInterface
    interface Pairwise {
        void apply(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to);
    }

    private ElementwiseMerge() {
    }

    static Step forward(NodeBuffers b, KernelPool pool, Pairwise op) {
        int cols = b.outputWidth();
        List<MemorySegment> xs = b.inputs();
        return new RowRangeStep((from, to) -> {
            long start = (long) from * cols;
            long end = (long) to * cols;
            op.apply(xs.get(0), xs.get(1), b.output(), start, end);
            for (int k = 2; k < xs.size(); k++) {
                op.apply(b.output(), xs.get(k), b.output(), start, end);
            }
        }, (long) xs.size() * cols, pool);
    }
}
