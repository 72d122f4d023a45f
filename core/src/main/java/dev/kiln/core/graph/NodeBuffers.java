package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory one compiled node reads and writes, sized for the graph's batch capacity: its inputs and
 * output, their gradients (null where the graph needs none), per-row scratch and per-graph scratch
 * kept for the backward pass, and a per-graph {@code workspace}. {@code scratch}, {@code backwardScratch}
 * and {@code workspace} are null unless the op asked for some ({@link Op#workspaceFloats}: per-graph
 * statistics such as batch norm's). Rows of the inputs and output are examples of {@code inputShapes}
 * and {@code outputShape}, each its size in floats. Most ops read one input: {@link #input()},
 * {@link #inputGradient()} and {@link #inputShape()} are that one's.
 *
 * <p>{@code parameterGradients} says where this node's backward writes the gradient of each trainable
 * parameter it reads ({@link #parameterGradient}): the parameter's own gradient, or, for a parameter
 * that several nodes read (a shared layer), a buffer of this node's own that the compiled graph adds
 * into the parameter's gradient once every backward step has run.
 */
public record NodeBuffers(
        List<MemorySegment> inputs,
        MemorySegment output,
        List<MemorySegment> inputGradients,
        MemorySegment outputGradient,
        MemorySegment scratch,
        MemorySegment backwardScratch,
        List<Shape> inputShapes,
        Shape outputShape,
        MemorySegment workspace,
        Map<Parameter, MemorySegment> parameterGradients) {

    public NodeBuffers {
        inputs = List.copyOf(inputs);
        // Entries are null for inputs whose gradient the graph does not need, which List.copyOf refuses.
        inputGradients = Collections.unmodifiableList(new ArrayList<>(inputGradients));
        inputShapes = List.copyOf(inputShapes);
        // Parameters are told apart by identity: two layers may name their weights alike.
        parameterGradients = Collections.unmodifiableMap(new IdentityHashMap<>(parameterGradients));
    }

    /** Where this node's backward writes the gradient of {@code parameter}, one of the parameters its op reads. */
    public MemorySegment parameterGradient(Parameter parameter) {
        MemorySegment gradient = parameterGradients.get(parameter);
        if (gradient == null) {
            throw new IllegalArgumentException("this node has no gradient buffer for parameter " + parameter);
        }
        return gradient;
    }

    /** True when the graph needs the gradient of at least one of the inputs. */
    public boolean needsInputGradients() {
        for (MemorySegment g : inputGradients) {
            if (g != null) {
                return true;
            }
        }
        return false;
    }

    /** The (first) input's rows. */
    public MemorySegment input() {
        return inputs.get(0);
    }

    /** Where the gradient of the (first) input goes, or null when the graph needs none. */
    public MemorySegment inputGradient() {
        return inputGradients.get(0);
    }

    /** The shape of the (first) input's examples. */
    public Shape inputShape() {
        return inputShapes.get(0);
    }

    /** Floats per (first) input row. */
    public int inputWidth() {
        return inputShape().size();
    }

    /** Floats per output row. */
    public int outputWidth() {
        return outputShape.size();
    }
}
