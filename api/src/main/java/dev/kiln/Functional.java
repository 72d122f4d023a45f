package dev.kiln;

import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.SymbolicTensor;
import dev.kiln.losses.Loss;
import dev.kiln.metrics.Metric;
import dev.kiln.optimizers.Optimizer;
import java.util.List;

/**
 * A model whose layers form a graph rather than a stack (Keras' functional API): layers are
 * {@linkplain Layer#apply applied} to the outputs of others, so a layer's output may feed several
 * layers (a residual connection), {@code Add}, {@code Multiply} and {@code Concatenate} merge branches,
 * a model may take several inputs, and a layer applied several times is shared: its applications read
 * and train one set of weights (a siamese encoder). Like {@link Sequential} it is an immutable specification;
 * {@link #compile} turns it into a trainable {@link Model}. {@code Model.of} makes one.
 *
 * <pre>{@code
 * var in = Input(784);
 * var h = Dense(128, "relu").apply(in);
 * var r = Dense(128, "relu").apply(h);
 * var out = Dense(10, "softmax").apply(Add().apply(h, r));
 * Model model = Model.of(in, out).compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * }</pre>
 *
 * <pre>{@code
 * var left = Input(784);
 * var right = Input(784);
 * var encoder = Dense(64, "relu");          // one kernel and bias for both inputs
 * var joined = Concatenate().apply(encoder.apply(left), encoder.apply(right));
 * Model siamese = Model.of(List.of(left, right), Dense(1, "sigmoid").apply(joined))
 *         .compile("adam", "binary_crossentropy");
 * }</pre>
 *
 * <p>Data for a model with several inputs is a {@code List} with one array per input, in the order the
 * inputs were given: {@code model.fit(List.of(images, tabular), y, epochs(5))}.
 *
 * <p>A model may have several outputs, each with a loss of its own (see {@link OutputLosses}); targets are
 * then one array per output and {@link Model#predictOutputs} gives one array per output:
 *
 * <pre>{@code
 * var in = Input(784);
 * var h = Dense(128, "relu").apply(in);
 * Model model = Model.of(in, List.of(Dense(10, "softmax").named("kind").apply(h),
 *                 Dense(1, "sigmoid").named("dark").apply(h)))
 *         .compile("adam", OutputLosses.of("sparse_categorical_crossentropy", "binary_crossentropy"));
 * model.fit(x, List.of(labels, darkness), epochs(5));   // History: loss, kind_loss, dark_loss
 * }</pre>
 */
public final class Functional implements Compilable {
    private final LayerGraph graph;

    private Functional(LayerGraph graph) {
        this.graph = graph;
    }

    /** The model computing {@code output} from {@code inputs} (each an {@code Input(...)}). */
    public static Functional of(List<InputLayer> inputs, SymbolicTensor output) {
        return new Functional(LayerGraph.functional(inputs, output));
    }

    /**
     * The model computing several {@code outputs} from {@code inputs}: targets are then one array per
     * output, and each output may have a loss of its own ({@link OutputLosses}).
     */
    public static Functional of(List<InputLayer> inputs, List<SymbolicTensor> outputs) {
        return new Functional(LayerGraph.functional(inputs, outputs));
    }

    /** The model computing several {@code outputs} from one input. */
    public static Functional of(InputLayer input, List<SymbolicTensor> outputs) {
        return of(List.of(input == null ? missingInput() : input), outputs);
    }

    /** The model computing {@code output} from one input. */
    public static Functional of(InputLayer input, SymbolicTensor output) {
        return of(List.of(input == null ? missingInput() : input), output);
    }

    private static InputLayer missingInput() {
        throw new IllegalArgumentException("the model's input is null; expected an Input(...)");
    }

    /** The layers, inputs first, each after the layers it reads. */
    public List<Layer> layers() {
        return graph.layers();
    }

    /** Compiles with these objects; {@link Compilable} has the overloads that take names. */
    @Override
    public Model compile(Optimizer optimizer, Loss loss, List<Metric> metrics) {
        CompileArguments.requireNonNull(optimizer, loss);
        return new Model(graph, null, optimizer, loss, CompileArguments.metrics(metrics.toArray(Metric[]::new)));
    }

    @Override
    public Model compile(Optimizer optimizer, OutputLosses losses) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer is null; expected a name such as 'adam' or an Optimizer");
        }
        if (losses == null) {
            throw new IllegalArgumentException("losses is null; expected OutputLosses.of(...) or OutputLosses.byName(...)");
        }
        return new Model(graph, null, optimizer, null, List.of(), losses);
    }
}
