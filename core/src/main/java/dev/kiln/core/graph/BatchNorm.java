package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.NormalizationKernels;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.StateUpdate;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Batch normalization over each feature (column). Training: y = γ·(x − μ_B)/√(σ²_B + ε) + β with the
 * batch's mean and biased variance, and the moving statistics move towards them:
 * moving = moving·momentum + batch·(1 − momentum), after the optimizer update ({@link #stateUpdate}). Inference: the moving statistics replace the
 * batch's. {@code movingMean} and {@code movingVariance} are non-trainable parameters (state the
 * optimizer never touches); {@code gamma} and {@code beta} may be null.
 *
 * <p>{@code frozen}: the layer runs as in inference during training too (the moving statistics normalize
 * and stay as they are; the input gradient is dy·γ/√(σ²_moving + ε)), as Keras 3 runs a BatchNormalization
 * whose layer is not trainable; its gamma and beta must then be non-trainable as well.
 *
 * <p>Workspace, per column: the batch mean, variance, 1/√(σ² + ε), then the folded scale and shift
 * (y = x·scale + shift), and two backward reductions.
 *
 * <pre>{@code
 * new BatchNorm(gamma, beta, new Parameter("bn/moving_mean", null, false, 64),
 *         Parameter.nonNegativeState("bn/moving_variance", 64), 0.99f, 1e-3f);
 * }</pre>
 */
public record BatchNorm(Parameter gamma, Parameter beta, Parameter movingMean, Parameter movingVariance,
        float momentum, float epsilon, boolean frozen) implements Op {
    private static final int SLOTS = 7;

    public BatchNorm {
        if (movingMean == null || movingVariance == null || movingMean.trainable() || movingVariance.trainable()
                || !movingVariance.nonNegative()) {
            throw new IllegalArgumentException("batch norm needs non-trainable moving mean and variance parameters,"
                    + " the variance made with Parameter.nonNegativeState");
        }
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        Normalization.checkEpsilon(epsilon);
        if (frozen && (gamma != null && gamma.trainable() || beta != null && beta.trainable())) {
            throw new IllegalArgumentException("a frozen batch norm needs non-trainable gamma and beta");
        }
    }

    /** A batch norm that trains (not frozen). */
    public BatchNorm(Parameter gamma, Parameter beta, Parameter movingMean, Parameter movingVariance, float momentum,
            float epsilon) {
        this(gamma, beta, movingMean, movingVariance, momentum, epsilon, false);
    }

    @Override
    public Shape outputShape(Shape input) {
        return Normalization.sameShape("batch norm", parameters(), input);
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = Normalization.affine(gamma, beta);
        ps.add(movingMean);
        ps.add(movingVariance);
        return ps;
    }

    @Override
    public long workspaceFloats(Shape input, Shape output) {
        return SLOTS * (long) stride(output.last());
    }

    /** Each workspace vector starts on a 64-byte boundary. */
    private static int stride(int cols) {
        return (cols + 15) & ~15;
    }

    private static MemorySegment slot(MemorySegment workspace, int index, int cols) {
        return workspace.asSlice((long) index * stride(cols) * Float.BYTES, (long) stride(cols) * Float.BYTES);
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        // Statistics per feature of the last axis, as Keras: over the batch, and over the positions of an
        // image ([h, w, c] is h·w rows of c channels).
        int cols = b.outputShape().last();
        int positions = b.outputWidth() / cols;
        MemorySegment ws = b.workspace();
        MemorySegment mean = slot(ws, 0, cols);
        MemorySegment variance = slot(ws, 1, cols);
        MemorySegment invStd = slot(ws, 2, cols);
        MemorySegment scale = slot(ws, 3, cols);
        MemorySegment shift = slot(ws, 4, cols);
        MemorySegment g = gamma == null ? null : gamma.value();
        MemorySegment bt = beta == null ? null : beta.value();
        RowRangeStep apply = new RowRangeStep((from, to) -> NormalizationKernels.applyAffine(b.input(), scale, shift,
                b.output(), cols, from * positions, to * positions), 2L * b.outputWidth(), pool);
        if (!training || frozen) {
            return rows -> {
                NormalizationKernels.affineFromMoments(movingMean.value(), movingVariance.value(), g, bt, epsilon, null,
                        scale, shift, cols);
                apply.run(rows);
            };
        }
        return rows -> {
            NormalizationKernels.columnMoments(b.input(), mean, variance, cols, rows * positions);
            NormalizationKernels.affineFromMoments(mean, variance, g, bt, epsilon, invStd, scale, shift, cols);
            apply.run(rows);
        };
    }

    /** The moving statistics move towards this batch's only once the whole step is known to be finite. */
    @Override
    public StateUpdate stateUpdate(NodeBuffers b) {
        if (frozen) {
            return null;
        }
        int cols = b.outputShape().last();
        MemorySegment mean = slot(b.workspace(), 0, cols);
        MemorySegment variance = slot(b.workspace(), 1, cols);
        return new StateUpdate() {
            @Override
            public String firstNonFinite() {
                if (!NormalizationKernels.updateMoving(movingMean.value(), mean, momentum, cols, false)) {
                    return movingMean.name();
                }
                if (!NormalizationKernels.updateMoving(movingVariance.value(), variance, momentum, cols, false)) {
                    return movingVariance.name();
                }
                return null;
            }

            @Override
            public void apply() {
                NormalizationKernels.updateMoving(movingMean.value(), mean, momentum, cols, true);
                NormalizationKernels.updateMoving(movingVariance.value(), variance, momentum, cols, true);
            }
        };
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        int cols = b.outputShape().last();
        int positions = b.outputWidth() / cols;
        MemorySegment ws = b.workspace();
        if (frozen) {
            return frozenBackward(b, cols, positions, pool);
        }
        MemorySegment mean = slot(ws, 0, cols);
        MemorySegment invStd = slot(ws, 2, cols);
        MemorySegment sumDy = slot(ws, 5, cols);
        MemorySegment sumDyXhat = slot(ws, 6, cols);
        MemorySegment g = gamma == null ? null : gamma.value();
        MemorySegment dGamma = gamma == null ? null : b.parameterGradient(gamma);
        MemorySegment dBeta = beta == null ? null : b.parameterGradient(beta);
        InputGradient dx = b.inputGradient() == null ? null
                : new InputGradient(b, g, mean, invStd, sumDy, sumDyXhat, cols, positions);
        RowRangeStep inputGradient = dx == null ? null : new RowRangeStep(dx, 10L * b.outputWidth(), pool);
        if (inputGradient == null && gamma == null && beta == null) {
            return null;
        }
        return rows -> {
            NormalizationKernels.batchNormReductions(b.input(), b.outputGradient(), mean, invStd, sumDy, sumDyXhat, cols,
                    rows * positions);
            if (gamma != null) {
                MemorySegment.copy(sumDyXhat, 0, dGamma, 0, (long) cols * Float.BYTES);
            }
            if (beta != null) {
                MemorySegment.copy(sumDy, 0, dBeta, 0, (long) cols * Float.BYTES);
            }
            if (inputGradient != null) {
                dx.rows = rows * positions;
                inputGradient.run(rows);
            }
        };
    }

    /**
     * As in inference, y = x·scale + shift with the scale the forward pass folded from the moving statistics
     * (workspace slot 3), so dx = dy·scale; slot 5 holds the zero shift. Gamma and beta are not trained.
     */
    private Step frozenBackward(NodeBuffers b, int cols, int positions, KernelPool pool) {
        if (b.inputGradient() == null) {
            return null;
        }
        MemorySegment scale = slot(b.workspace(), 3, cols);
        MemorySegment zero = slot(b.workspace(), 5, cols);
        RowRangeStep dx = new RowRangeStep((from, to) -> NormalizationKernels.applyAffine(b.outputGradient(), scale,
                zero, b.inputGradient(), cols, from * positions, to * positions), 2L * b.outputWidth(), pool);
        return rows -> {
            zero.fill((byte) 0);
            dx.run(rows);
        };
    }

    /** dx over a range of examples; {@code rows} is every position of the whole batch, the N of the mean. */
    private static final class InputGradient implements RowRangeStep.RowKernel {
        private final NodeBuffers b;
        private final MemorySegment gamma;
        private final MemorySegment mean;
        private final MemorySegment invStd;
        private final MemorySegment sumDy;
        private final MemorySegment sumDyXhat;
        private final int cols;
        private final int positions;
        int rows;

        InputGradient(NodeBuffers b, MemorySegment gamma, MemorySegment mean, MemorySegment invStd, MemorySegment sumDy,
                MemorySegment sumDyXhat, int cols, int positions) {
            this.b = b;
            this.gamma = gamma;
            this.mean = mean;
            this.invStd = invStd;
            this.sumDy = sumDy;
            this.sumDyXhat = sumDyXhat;
            this.cols = cols;
            this.positions = positions;
        }

        @Override
        public void run(int from, int to) {
            NormalizationKernels.batchNormBackwardInput(b.input(), b.outputGradient(), gamma, mean, invStd, sumDy,
                    sumDyXhat, b.inputGradient(), cols, rows, from * positions, to * positions);
        }
    }

    @Override
    public String describe() {
        return "batch_norm" + (gamma == null ? "" : " " + gamma) + (beta == null ? "" : " + " + beta)
                + " momentum=" + momentum + " ε=" + epsilon + (frozen ? " frozen" : "");
    }
}
