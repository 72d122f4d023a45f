package dev.kiln.ops;

import java.util.Map;

/**
 * The {@code call} of a layer the user writes with {@link Ops} (Keras' {@code call(self, inputs)}): from the
 * batch's {@code inputs} and the layer's weights, by the names it declared them with, it computes the layer's
 * output rows.
 *
 * <pre>{@code
 * LayerExpression dense = (x, w) -> Ops.add(Ops.matmul(x, w.get("kernel")), w.get("bias"));
 * }</pre>
 */
@FunctionalInterface
public interface LayerExpression {
    Symbol call(Symbol inputs, Map<String, Symbol> weights);
}
