package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.BiasKernels;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** y = x + b, b broadcast over the rows; the fusion pass folds it into {@link Dense}. */
public record BiasAdd(Parameter bias) implements Op {
    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 1 || bias.size() != input.size()) {
            throw new IllegalArgumentException("bias " + bias + " cannot be added to examples of shape " + input);
        }
        return input;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(bias);
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        int cols = b.outputWidth();
        return new RowRangeStep((from, to) -> BiasKernels.addBias(b.input(), bias.value(), b.output(), cols, from, to),
                cols, pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        int cols = b.outputWidth();
        MemorySegment dy = b.outputGradient();
        MemorySegment dx = b.inputGradient();
        return rows -> {
            BiasKernels.columnSums(dy, b.parameterGradient(bias), rows, cols, 0, cols);
            if (dx != null) {
                MemorySegment.copy(dy, 0, dx, 0, (long) rows * cols * Float.BYTES);
            }
        };
    }

    @Override
    public String describe() {
        return "bias_add " + bias;
    }
}
