package dev.kiln.core.graph;

import dev.kiln.core.exec.DenseBackwardStep;
import dev.kiln.core.exec.DenseForwardStep;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused y = f(x·W + b): one GEMM whose epilogue adds the bias and applies the activation while
 * the output tile is in registers. The fusion pass builds it from {@link MatMul}, {@link BiasAdd}
 * and an elementwise {@link Activate}; {@code bias} may be null.
 */
public record Dense(Parameter kernel, Parameter bias, Activation activation) implements Op {
    public Dense {
        if (!activation.isElementwise()) {
            throw new IllegalArgumentException(activation + " is not elementwise and cannot be fused into a dense epilogue");
        }
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape units = new MatMul(kernel).outputShape(input);
        if (bias != null) {
            new BiasAdd(bias).outputShape(units);
        }
        return units;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(List.of(kernel));
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }

    @Override
    public int scratchWidth(Shape input, Shape output) {
        // Only activations whose derivative cannot be read off the output keep the pre-activation.
        return activation.derivativeNeedsInput() ? output.size() : 0;
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        return new DenseForwardStep(b.input(), kernel.value(), bias == null ? null : bias.value(),
                training ? b.scratch() : null, b.output(), b.inputWidth(), b.outputWidth(), activation, pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        return new DenseBackwardStep(b.input(), kernel.value(), b.scratch(), b.output(), b.outputGradient(),
                b.parameterGradient(kernel), bias == null ? null : b.parameterGradient(bias), b.inputGradient(), b.backwardScratch(),
                b.inputWidth(), b.outputWidth(), activation, pool);
    }

    @Override
    public String describe() {
        return "dense " + kernel + (bias == null ? "" : " + " + bias) + " → " + activation.name().toLowerCase(java.util.Locale.ROOT);
    }
}
