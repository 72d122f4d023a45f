package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.ExprProgram;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A layer written as an {@link Expr} over its input rows and its weights: the forward step evaluates the
 * expression, the backward step differentiates it, giving the input's gradient and each trainable weight's
 * (where {@link NodeBuffers#parameterGradient} says). Each step owns its {@link ExprProgram}, so the backward
 * step evaluates the forward values again instead of sharing buffers with the forward step: a shared layer's
 * nodes and the training and inference programs never see each other's values. One thread, no allocation
 * once the first batch of the largest size has run.
 *
 * <pre>{@code
 * Parameter scale = new Parameter("scale/scale", 5);
 * g.add("scale", new ExpressionOp("scale", Expr.binary(BinaryOp.MULTIPLY, Expr.input(5), Expr.weight(scale))), x);
 * }</pre>
 */
public record ExpressionOp(String name, Expr expression) implements Op {
    public ExpressionOp {
        new ExprProgram(expression).forwardShapeCheck(); // refuses an expression that is not a layer's
    }

    private ExprProgram program() {
        return new ExprProgram(expression);
    }

    @Override
    public Shape outputShape(Shape input) {
        ExprProgram program = program();
        if (input.rank() != 1 || input.size() != program.inputColumns()) {
            throw new IllegalArgumentException(name + " was written for rows of " + program.inputColumns()
                    + " features but gets examples of shape " + input);
        }
        return Shape.of(program.outputColumns());
    }

    @Override
    public List<Parameter> parameters() {
        return program().weights();
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        ExprProgram program = program();
        return rows -> program.forward(b.input(), b.output(), rows);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        ExprProgram program = program();
        List<Parameter> weights = program.weights();
        MemorySegment[] weightGradients = new MemorySegment[weights.size()];
        boolean any = b.inputGradient() != null;
        for (int i = 0; i < weightGradients.length; i++) {
            if (weights.get(i).trainable()) {
                weightGradients[i] = b.parameterGradient(weights.get(i));
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        MemorySegment scratch = b.scratch(); // the output as the forward step computed it: overwritten alike
        return rows -> {
            program.forward(b.input(), scratch, rows);
            program.backward(b.outputGradient(), b.inputGradient(), weightGradients, rows);
        };
    }

    @Override
    public int scratchWidth(Shape input, Shape output) {
        return output.size();
    }

    @Override
    public String describe() {
        return "expression " + name + " " + expression;
    }
}
