package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.NormalizationKernels;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Normalizes each row to mean 0 and variance 1 over its features, then scales by {@code gamma} and
 * shifts by {@code beta} (either may be null): y = γ·(x − μ)/√(σ² + ε) + β. The same in training and
 * inference. Training keeps each row's μ and 1/√(σ² + ε) as scratch for the backward pass.
 *
 * <pre>{@code
 * g.add("layer_normalization", new LayerNorm(new Parameter("ln/gamma", 64), new Parameter("ln/beta", 64), 1e-3f), n);
 * }</pre>
 */
public record LayerNorm(Parameter gamma, Parameter beta, float epsilon) implements Op {
    public LayerNorm {
        Normalization.checkEpsilon(epsilon);
    }

    @Override
    public Shape outputShape(Shape input) {
        return Normalization.sameShape("layer norm", parameters(), input);
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = Normalization.affine(gamma, beta);
        return ps;
    }

    @Override
    public int scratchWidth(Shape input, Shape output) {
        return 2 * (output.size() / output.last()); // per position of the last axis: its mean and 1/√(σ² + ε)
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        // Normalized over the last axis, as Keras does: an example of shape [h, w, c] is h·w rows of c.
        int cols = b.outputShape().last();
        int positions = b.outputWidth() / cols;
        MemorySegment g = gamma == null ? null : gamma.value();
        MemorySegment bt = beta == null ? null : beta.value();
        MemorySegment stats = training ? b.scratch() : null;
        return new RowRangeStep((from, to) -> NormalizationKernels.layerNormForward(b.input(), g, bt, b.output(), stats,
                cols, epsilon, from * positions, to * positions), 6L * b.outputWidth(), pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        int cols = b.outputShape().last();
        int positions = b.outputWidth() / cols;
        MemorySegment g = gamma == null ? null : gamma.value();
        MemorySegment dGamma = gamma == null ? null : b.parameterGradient(gamma);
        MemorySegment dBeta = beta == null ? null : b.parameterGradient(beta);
        Step inputGradient = b.inputGradient() == null ? null
                : new RowRangeStep((from, to) -> NormalizationKernels.layerNormBackwardInput(b.input(), g,
                        b.outputGradient(), b.scratch(), b.inputGradient(), cols, from * positions, to * positions),
                        8L * b.outputWidth(), pool);
        boolean parameterGradients = dGamma != null || dBeta != null;
        if (!parameterGradients) {
            return inputGradient;
        }
        return rows -> {
            // Column sums in a fixed row order on one thread: deterministic, and cheap beside the layers around.
            NormalizationKernels.layerNormParameterGradients(b.input(), b.scratch(), b.outputGradient(), dGamma, dBeta,
                    cols, rows * positions);
            if (inputGradient != null) {
                inputGradient.run(rows);
            }
        };
    }

    @Override
    public String describe() {
        return "layer_norm" + (gamma == null ? "" : " " + gamma) + (beta == null ? "" : " + " + beta) + " ε=" + epsilon;
    }
}
