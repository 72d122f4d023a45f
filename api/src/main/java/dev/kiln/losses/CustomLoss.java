package dev.kiln.losses;

import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.ExpressionLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.ops.LossExpression;

/**
 * A loss the user writes with {@link dev.kiln.ops.Ops}, made by {@link Losses#custom}: its per-sample
 * value is the function's (or the function's mean over the last axis), averaged over the batch and
 * scaled by sample weights like every loss; its gradient comes from differentiating the function. It is
 * saved by its registered name ({@code "Custom>my_loss"}), as Keras saves a registered function; a
 * program that loads the model registers it first with {@code Kiln.registerCustomObject}.
 *
 * <pre>{@code
 * CustomLoss mse = Losses.custom("my_mse", (yTrue, yPred) -> Ops.mean(Ops.square(Ops.subtract(yTrue, yPred)), -1));
 * }</pre>
 */
public final class CustomLoss implements Loss {
    private final String registeredName;
    private final LossExpression function;
    private final Expr expression;

    CustomLoss(String name, LossExpression function) {
        this.registeredName = CustomObjectRegistry.registeredName(name);
        if (function == null) {
            throw new IllegalArgumentException("custom loss '" + name + "' needs a function (yTrue, yPred) -> ..., "
                    + "got null");
        }
        this.function = function;
        // traced now, so that a malformed function fails where it is defined rather than at fit
        this.expression = function.trace();
        if (expression.extent() == Expr.Extent.SCALAR) {
            throw new IllegalArgumentException("custom loss '" + name + "' returns a constant; it must compute "
                    + "from yTrue and yPred");
        }
    }

    /** The name without its package, as Keras names a function loss. */
    @Override
    public String name() {
        return CustomObjectRegistry.shortName(registeredName);
    }

    /** The name it is saved and registered by, {@code "package>name"}. */
    public String registeredName() {
        return registeredName;
    }

    /** The function this loss was made from. */
    public LossExpression lossFunction() {
        return function;
    }

    @Override
    public LossFunction function() {
        return new ExpressionLoss(expression);
    }

    @Override
    public String toString() {
        return registeredName;
    }
}
