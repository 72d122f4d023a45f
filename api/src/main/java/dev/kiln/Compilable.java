package dev.kiln;

import dev.kiln.losses.Loss;
import dev.kiln.metrics.Metric;
import dev.kiln.optimizers.Optimizer;
import java.util.List;

/**
 * What {@code compile} turns into a trainable {@link Model}: a {@link Sequential}, a {@link Functional}
 * model, or a {@link Model} compiled again. The optimizer and the loss come as names ({@code "adam"},
 * {@code "mse"}) or objects ({@code new Adam(1e-3)}, {@code Losses.meanSquaredError()}), the metrics as
 * names or {@link Metric}s (for a mix, resolve the names with {@code Metrics.resolve}); anything else
 * does not compile, so a wrong argument shows up in the editor rather than at run time.
 *
 * <pre>{@code
 * Model model = Sequential.of(Dense(128, "relu"), Dense(10, "softmax"))
 *         .compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * model.compile(new Adam(1e-4), "sparse_categorical_crossentropy", new Precision());   // again, gently
 * }</pre>
 */
public sealed interface Compilable permits Sequential, Functional, Model {

    /** Compiles with these objects; every other overload resolves its names and calls this one. */
    Model compile(Optimizer optimizer, Loss loss, List<Metric> metrics);

    default Model compile(String optimizer, String loss, String... metrics) {
        return compile(CompileArguments.optimizer(optimizer), CompileArguments.loss(loss), CompileArguments.metrics(metrics));
    }

    default Model compile(String optimizer, String loss) {
        return compile(CompileArguments.optimizer(optimizer), CompileArguments.loss(loss), List.of());
    }

    default Model compile(Optimizer optimizer, Loss loss) {
        return compile(optimizer, loss, List.of());
    }

    default Model compile(Optimizer optimizer, String loss) {
        return compile(optimizer, CompileArguments.loss(loss), List.of());
    }

    default Model compile(String optimizer, Loss loss) {
        return compile(CompileArguments.optimizer(optimizer), loss, List.of());
    }

    default Model compile(Optimizer optimizer, String loss, String... metrics) {
        return compile(optimizer, CompileArguments.loss(loss), CompileArguments.metrics(metrics));
    }

    default Model compile(String optimizer, Loss loss, String... metrics) {
        return compile(CompileArguments.optimizer(optimizer), loss, CompileArguments.metrics(metrics));
    }

    default Model compile(Optimizer optimizer, Loss loss, String... metrics) {
        return compile(optimizer, loss, CompileArguments.metrics(metrics));
    }

    default Model compile(String optimizer, String loss, Metric... metrics) {
        return compile(CompileArguments.optimizer(optimizer), CompileArguments.loss(loss), CompileArguments.metrics(metrics));
    }

    default Model compile(Optimizer optimizer, String loss, Metric... metrics) {
        return compile(optimizer, CompileArguments.loss(loss), CompileArguments.metrics(metrics));
    }

    default Model compile(String optimizer, Loss loss, Metric... metrics) {
        return compile(CompileArguments.optimizer(optimizer), loss, CompileArguments.metrics(metrics));
    }

    default Model compile(Optimizer optimizer, Loss loss, Metric... metrics) {
        return compile(optimizer, loss, CompileArguments.metrics(metrics));
    }

    /**
     * Compiles with a loss, loss weight and metrics per output, for a model with several outputs (see
     * {@link OutputLosses}); a model with one output takes one loss of weight 1 this way too.
     */
    Model compile(Optimizer optimizer, OutputLosses losses);

    default Model compile(String optimizer, OutputLosses losses) {
        return compile(CompileArguments.optimizer(optimizer), losses);
    }

    /** Compiles with Keras' default optimizer, rmsprop. */
    default Model compile(String loss) {
        return compile("rmsprop", loss);
    }

    /** Compiles with Keras' default optimizer, rmsprop. */
    default Model compile(Loss loss) {
        return compile("rmsprop", loss);
    }
}
