package dev.kiln.layers;

import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.ExprProgram;
import dev.kiln.core.graph.ExpressionOp;
import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.initializers.Initializers;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.io.ConfigWriter;
import dev.kiln.ops.LayerExpression;
import dev.kiln.ops.Symbol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A layer the user writes with {@link dev.kiln.ops.Ops}, made by {@code Layers.custom}: what a Keras user
 * writes as a {@code Layer} subclass. Its weights are declared as {@code build} declares them with
 * {@code add_weight} (a name, a shape computed from the input's features, an initializer), and its
 * {@code call} computes the output rows from the inputs and the weights. Kiln traces the call into one
 * engine op, differentiates it for the input's and each weight's gradient, and trains it with the
 * model's optimizer. It reads flat examples (rows of features). It is saved by its registered name
 * ({@code "my_pkg>MyDense"}, as Keras' {@code register_keras_serializable}); a program that loads the model
 * makes it (or registers it with {@code Kiln.registerCustomObject}) first.
 *
 * <pre>{@code
 * CustomLayer myDense = Layers.custom("my_pkg>MyDense")
 *         .weight("kernel", features -> new int[] {features, 8}, "glorot_uniform")
 *         .weight("bias", features -> new int[] {8}, "zeros")
 *         .call((x, w) -> Ops.relu(Ops.add(Ops.matmul(x, w.get("kernel")), w.get("bias"))));
 * var model = Sequential.of(Input(4), myDense, Dense(1));
 * }</pre>
 */
public final class CustomLayer implements Layer {
    /** A weight as {@code add_weight} declares it: its shape from the input's features, its initializer. */
    private record WeightDeclaration(String name, IntFunction<int[]> shape, String initializer) {
    }

    private final String registeredName;
    private final List<WeightDeclaration> weights;
    private final LayerExpression call;

    private CustomLayer(String registeredName, List<WeightDeclaration> weights, LayerExpression call) {
        this.registeredName = registeredName;
        this.weights = List.copyOf(weights);
        this.call = call;
    }

    /** A layer named {@code name} ({@code "package>Name"}, or {@code "Name"} in Keras' package "Custom"). */
    public static CustomLayer of(String name) {
        return new CustomLayer(CustomObjectRegistry.registeredName(name), List.of(), null);
    }

    /**
     * This layer with one more weight, as Keras' {@code self.add_weight(shape=..., initializer=...)} in
     * {@code build}: {@code shape} gives its shape for inputs of so many features ({@code []} or {@code [n]}:
     * one value or one per feature, broadcast over the rows; {@code [in, units]}: a kernel for
     * {@code Ops.matmul}); {@code initializer} is a Keras name such as {@code "glorot_uniform"} or
     * {@code "zeros"}.
     */
    public CustomLayer weight(String name, IntFunction<int[]> shape, String initializer) {
        if (name == null || name.isBlank() || name.contains("/")) {
            throw new IllegalArgumentException(registeredName + " weight name must be non-blank and without '/', got '"
                    + name + "'");
        }
        for (WeightDeclaration w : weights) {
            if (w.name().equals(name)) {
                throw new IllegalArgumentException(registeredName + " already has a weight named '" + name + "'");
            }
        }
        if (shape == null) {
            throw new IllegalArgumentException(registeredName + " weight '" + name + "' needs a shape rule "
                    + "features -> new int[] {...}, got null");
        }
        Initializers.resolve(initializer); // an unknown name fails here, naming the valid ones
        List<WeightDeclaration> more = new ArrayList<>(weights);
        more.add(new WeightDeclaration(name, shape, initializer));
        return registered(new CustomLayer(registeredName, more, call));
    }

    /** This layer with its {@code call}, as Keras' {@code call(self, inputs)} written with {@code keras.ops}. */
    public CustomLayer call(LayerExpression call) {
        if (call == null) {
            throw new IllegalArgumentException(registeredName + " needs a call (inputs, weights) -> ..., got null");
        }
        return registered(new CustomLayer(registeredName, weights, call));
    }

    /**
     * A layer with its call is registered as it is made (Keras' {@code register_keras_serializable}), so
     * that a model saved with it loads in the same program; the last one made under a name wins.
     */
    private static CustomLayer registered(CustomLayer layer) {
        if (layer.call != null) {
            CustomObjectRegistry.register(layer.registeredName, layer);
        }
        return layer;
    }

    /** The name it is saved and registered by, {@code "package>Name"}. */
    public String registeredName() {
        return registeredName;
    }

    /** The class name Keras writes, the registered name without its package. */
    @Override
    public String typeName() {
        return CustomObjectRegistry.shortName(registeredName);
    }

    /** Keras' automatic name: the class name in snake case ({@code MyDense} → {@code my_dense}). */
    @Override
    public String baseName() {
        String type = typeName();
        StringBuilder snake = new StringBuilder();
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(type.charAt(i - 1))) {
                snake.append('_');
            }
            snake.append(Character.toLowerCase(c));
        }
        return snake.toString();
    }

    @Override
    public Shape outputShape(Shape input) {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (WeightDeclaration w : weights) {
            parameters.put(w.name(), new Parameter(w.name(), shapeOf(w, features(input))));
        }
        return Shape.of(new ExpressionOp(registeredName, trace(features(input), parameters)).outputShape(input).size());
    }

    @Override
    public long parameterCount(Shape input) {
        long count = 0;
        for (WeightDeclaration w : weights) {
            long size = 1;
            for (int d : shapeOf(w, features(input))) {
                size *= d;
            }
            count += size;
        }
        return count;
    }

    /** Values computed by the user's call, no activation Kiln knows. */
    @Override
    public Activation outputActivation(Activation input) {
        return Activation.LINEAR;
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        int features = features(lowering.inputShape());
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (WeightDeclaration w : weights) {
            parameters.put(w.name(), lowering.weight(w.name(), w.initializer(), null, shapeOf(w, features)));
        }
        return lowering.add(new ExpressionOp(lowering.name(), trace(features, parameters)), input);
    }

    /** Nothing of its own: Keras writes a custom layer's name, trainable flag and dtype, which are written for it. */
    @Override
    public void writeConfig(ConfigWriter config) {
    }

    /** The call run once on symbolic inputs and weights; every declared weight must be used. */
    private Expr trace(int features, Map<String, Parameter> parameters) {
        if (call == null) {
            throw new IllegalArgumentException(registeredName + " has no call; give it one with .call((x, w) -> ...)");
        }
        Map<String, Symbol> symbols = new LinkedHashMap<>();
        parameters.forEach((name, p) -> symbols.put(name, Symbol.of(Expr.weight(p))));
        Symbol result = call.call(Symbol.of(Expr.input(features)), Map.copyOf(symbols));
        if (result == null) {
            throw new IllegalArgumentException(registeredName + "'s call returned null; expected a Symbol computed "
                    + "with Ops from its inputs and weights");
        }
        Expr expression = result.expression();
        List<Parameter> used = new ExprProgram(expression).weights();
        for (var entry : parameters.entrySet()) {
            if (used.stream().noneMatch(p -> p == entry.getValue())) {
                throw new IllegalArgumentException(registeredName + " declares the weight '" + entry.getKey()
                        + "' but its call does not use it");
            }
        }
        return expression;
    }

    private int[] shapeOf(WeightDeclaration w, int features) {
        int[] shape = w.shape().apply(features);
        if (shape == null || shape.length > 2) {
            throw new IllegalArgumentException(registeredName + " weight '" + w.name() + "' must have rank 0, 1 or 2, "
                    + "got " + (shape == null ? "null" : Arrays.toString(shape)));
        }
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException(registeredName + " weight '" + w.name() + "' has shape "
                        + Arrays.toString(shape) + "; every dimension must be at least 1");
            }
        }
        return shape.clone();
    }

    private int features(Shape input) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("needs flat examples but gets examples of shape " + input
                    + ": add Flatten() before it");
        }
        return input.size();
    }

    @Override
    public String toString() {
        return registeredName;
    }
}
