package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.memory.Shape;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Joins its inputs along the examples' last axis (channels for images): inputs of shapes [.., a] and
 * [.., b] that agree on every other axis give [.., a + b].
 */
public record Concatenate() implements Merge {
    @Override
    public Shape outputShape(List<Shape> inputs) {
        if (inputs.size() < 2) {
            throw new IllegalArgumentException("concatenate merges two or more inputs, got " + inputs.size());
        }
        Shape first = inputs.get(0);
        int last = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Shape s = inputs.get(i);
            if (s.rank() != first.rank() || !leading(s).equals(leading(first))) {
                throw new IllegalArgumentException("concatenate joins examples along their last axis, so all other"
                        + " axes must agree, but input 0 has examples of shape " + first + " and input " + i
                        + " of shape " + s);
            }
            last = Math.addExact(last, s.last());
        }
        int[] dims = first.dims();
        dims[dims.length - 1] = last;
        return Shape.of(dims);
    }

    private static List<Integer> leading(Shape s) {
        int[] dims = s.dims();
        return Arrays.stream(dims, 0, dims.length - 1).boxed().toList();
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        int[] widths = lastAxes(b);
        int outWidth = b.outputShape().last();
        int positions = b.outputWidth() / outWidth;
        List<MemorySegment> xs = b.inputs();
        return new RowRangeStep((from, to) -> {
            for (long p = (long) from * positions; p < (long) to * positions; p++) {
                long at = p * outWidth;
                for (int k = 0; k < widths.length; k++) {
                    MemorySegment.copy(xs.get(k), p * widths[k] * Float.BYTES, b.output(), at * Float.BYTES,
                            (long) widths[k] * Float.BYTES);
                    at += widths[k];
                }
            }
        }, b.outputWidth(), pool);
    }

    /** Each input's gradient is its own slice of the output's gradient. */
    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (!b.needsInputGradients()) {
            return null;
        }
        int[] widths = lastAxes(b);
        int outWidth = b.outputShape().last();
        int positions = b.outputWidth() / outWidth;
        List<MemorySegment> grads = b.inputGradients();
        return new RowRangeStep((from, to) -> {
            for (long p = (long) from * positions; p < (long) to * positions; p++) {
                long at = p * outWidth;
                for (int k = 0; k < widths.length; k++) {
                    if (grads.get(k) != null) {
                        MemorySegment.copy(b.outputGradient(), at * Float.BYTES, grads.get(k),
                                p * widths[k] * Float.BYTES, (long) widths[k] * Float.BYTES);
                    }
                    at += widths[k];
                }
            }
        }, b.outputWidth(), pool);
    }

    private static int[] lastAxes(NodeBuffers b) {
        return b.inputShapes().stream().mapToInt(Shape::last).toArray();
    }

    @Override
    public String describe() {
        return "concatenate";
    }
}
