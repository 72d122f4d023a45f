package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.StateUpdate;
import java.util.List;

/**
 * An operation of the graph: its shape rule, its forward kernel and its gradient rule.
 *
 * <p>Every op maps one input, an example of some {@link Shape} per row of the batch, to one output
 * ({@link Merge} ops read several).
 * The compiler asks each op for a forward step and, walking the graph backwards, for a backward step
 * that turns the gradient of its output into the gradients of its parameters and (when the graph
 * needs it) of its input.
 */
public sealed interface Op permits Input, MatMul, ExpressionOp, BiasAdd, Activate, Dropout, Dense, LayerNorm, BatchNorm, Reshape, Conv2D,
        MaxPool2D, AveragePool2D, GlobalAveragePool2D, GlobalMaxPool2D, Merge {

    /** Shape inference: the output shape for {@code input}, or an exception naming the mismatch. */
    Shape outputShape(Shape input);

    /**
     * Shape inference over the shapes of every node this op reads; one, except for a {@link Merge}.
     */
    default Shape outputShape(List<Shape> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(describe() + " reads one input, got " + inputs.size());
        }
        return outputShape(inputs.get(0));
    }

    /**
     * True when the output is the input itself seen with another shape (a reshape): the compiled graph
     * then gives it the input's memory and runs nothing for it.
     */
    default boolean viewsInput() {
        return false;
    }

    /** The parameters this op reads: trainable ones and state such as moving statistics ({@link Parameter#trainable()}). */
    default List<Parameter> parameters() {
        return List.of();
    }

    /** Floats per row of scratch the op keeps from forward to backward (pre-activations, dropout masks). */
    default int scratchWidth(Shape input, Shape output) {
        return 0;
    }

    /** Floats of scratch the backward step needs once per graph (not per row), e.g. a transposed kernel. */
    default long backwardScratchFloats(Shape input, Shape output) {
        return 0;
    }

    /**
     * Floats the op keeps once per graph for both its forward and backward steps, whatever the
     * batch (per-column batch statistics); given as {@link NodeBuffers#workspace()}.
     */
    default long workspaceFloats(Shape input, Shape output) {
        return 0;
    }

    /** The forward step; {@code training} is false when predicting or evaluating. */
    Step forward(NodeBuffers buffers, boolean training, KernelPool pool);

    /**
     * The backward step: reads {@code buffers.outputGradient()}, which it may overwrite, accumulates nothing
     * (every gradient buffer has exactly one writer) and writes the parameter gradients (each where
     * {@code buffers.parameterGradient(p)} says, since a shared parameter has one buffer per reader) and, when
     * {@code buffers.inputGradient()} is non-null, the input gradient. Null when there is nothing to do.
     */
    Step backward(NodeBuffers buffers, KernelPool pool);

    /**
     * The state the training forward step prepares and the program applies after the optimizer
     * update (moving statistics), or null when the op keeps none.
     */
    default StateUpdate stateUpdate(NodeBuffers buffers) {
        return null;
    }

    /** A short description for plans and error messages. */
    String describe();
}
