package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.DropoutKernels;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.DropoutSeed;
import java.lang.foreign.MemorySegment;

/**
 * Inverted dropout while training, identity otherwise. The mask of each training step is drawn from
 * {@link DropoutSeed}, which the compiled graph advances once per step.
 */
public record Dropout(float rate, DropoutSeed seed) implements Op {
    public Dropout {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public int scratchWidth(Shape input, Shape output) {
        return output.size();
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        int cols = b.outputWidth();
        if (!training || rate == 0f) {
            return rows -> MemorySegment.copy(b.input(), 0, b.output(), 0, (long) rows * cols * Float.BYTES);
        }
        return new RowRangeStep((from, to) -> DropoutKernels.forward(b.input(), b.output(), b.scratch(), rate,
                seed.current(), (long) from * cols, (long) to * cols), 2L * cols, pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (b.inputGradient() == null) {
            return null;
        }
        int cols = b.outputWidth();
        if (rate == 0f) {
            return rows -> MemorySegment.copy(b.outputGradient(), 0, b.inputGradient(), 0, (long) rows * cols * Float.BYTES);
        }
        return new RowRangeStep((from, to) -> DropoutKernels.backward(b.outputGradient(), b.scratch(),
                b.inputGradient(), (long) from * cols, (long) to * cols), cols, pool);
    }

    @Override
    public String describe() {
        return "dropout(" + rate + ")";
    }
}
