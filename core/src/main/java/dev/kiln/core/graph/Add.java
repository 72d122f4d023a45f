package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.ElementwiseKernels;
import dev.kiln.core.memory.Shape;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** y = x₀ + x₁ + …, elementwise over inputs of one shape (a residual connection's join). */
public record Add() implements Merge {
    @Override
    public Shape outputShape(List<Shape> inputs) {
        return Merge.sameShape("add", inputs);
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        return ElementwiseMerge.forward(b, pool, ElementwiseKernels::add);
    }

    /** Each input receives the output's gradient unchanged. */
    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (!b.needsInputGradients()) {
            return null;
        }
        int cols = b.outputWidth();
        List<MemorySegment> grads = b.inputGradients();
        return new RowRangeStep((from, to) -> {
            for (MemorySegment g : grads) {
                if (g != null) {
                    ElementwiseKernels.copy(b.outputGradient(), g, (long) from * cols, (long) to * cols);
                }
            }
        }, (long) grads.size() * cols, pool);
    }

    @Override
    public String describe() {
        return "add";
    }
}
