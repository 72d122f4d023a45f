package dev.kiln;

import static dev.kiln.SavedModels.Format.KERAS;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.graph.Compiler;
import dev.kiln.core.graph.Node;
import dev.kiln.core.graph.OutputLoss;
import dev.kiln.core.memory.Tensor;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.data.Dataset;
import dev.kiln.io.ModelConfig;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.NamedLayer;
import dev.kiln.layers.SymbolicTensor;
import dev.kiln.losses.Loss;
import dev.kiln.metrics.Metric;
import dev.kiln.optimizers.Optimizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A compiled model: train it with {@link #fit}, measure it with {@link #evaluate}, use it with
 * {@link #predict}. Its weights live off-heap until {@link #close()}; after that every call throws
 * {@link IllegalStateException}.
 *
 * <p>Data that does not fit on the heap comes as a {@link Dataset} of batches (memory-mapped
 * {@code .npy}, IDX, CSV, a generator): {@code fit(dataset, ...)}, {@code evaluate(dataset)},
 * {@code predict(dataset)}. {@link #trainOnBatch}, {@link #testOnBatch} and {@link #predictOnBatch} take
 * one step on the rows given, for training loops of one's own.
 *
 * <p>Without an {@code Input} layer the model is built (weights created) by the first fit, evaluate
 * or predict, from the width of that call's rows, as Keras does.
 *
 * <p>{@link #layers()} and {@link #getLayer(String)} look inside it: each layer's name, weights with their
 * shapes, and {@code trainable} flag. {@code compile} on a model compiles it again, keeping its weights,
 * with a fresh optimizer; that is also when a changed {@code trainable} flag takes effect (fine-tuning).
 *
 * <p>Thread safety: a model may be shared between threads. Its calls are serialised on the model
 * (one compiled graph, one workspace): {@code predict} from 8 threads at once gives every caller
 * exactly the result it would get alone, one call after another, and a {@code predict} during a
 * {@code fit} waits for the fit to finish. For parallel inference, use one model per thread.
 *
 * <p>A refused call (an {@link IllegalArgumentException} or {@link IllegalStateException}) leaves the
 * model as it was: its weights, optimizer state and {@link #iterations()} are checked before anything
 * runs. A batch whose loss becomes NaN or infinite stops {@code fit} with a
 * {@link NonFiniteLossException} before its update, so the weights are those from before that batch.
 *
 * <pre>{@code
 * try (var model = Sequential.of(Dense(128, "relu"), Dense(10, "softmax"))
 *         .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
 *     History h = model.fit(x, y, epochs(5), batchSize(128), validationSplit(0.1));
 *     Map<String, Double> scores = model.evaluate(xTest, yTest);
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable, Compilable {
    /** Rows per step when predicting or evaluating: results do not depend on it, only speed does. */
    private static final int INFERENCE_BATCH = 1024;

    /**
     * Which layer reads which: a chain for Sequential, any acyclic graph for a functional model. Its places
     * hold the layers as they were given (a named layer as its {@link NamedLayer}); a shared layer is at several.
     */
    private final LayerGraph topology;
    /** The model's layers, each once (a shared layer too), names unwrapped, the Input (when there is one) first. */
    private final List<Layer> layers;
    /** Which of {@link #layers} is at each place of the topology. */
    private final int[] layerAt;
    /** The layers' names: a {@link NamedLayer}'s, else Keras' automatic one (dense, dense_1, ...). */
    private final List<String> layerNames;
    /** The name of the layer at each place of the topology (a shared layer's at each of its places). */
    private final List<String> placeNames;
    /** The layers' keys in Keras' {@code .weights.h5}: by class and place, whatever the layers' names. */
    private final List<String> weightKeys;
    /** Each layer's trainable flag as the user set it last. */
    private final boolean[] trainable;
    /** The flags the compiled graph honours: those of the last compile (or build). */
    private boolean[] compiledTrainable;
    private final List<ModelLayer> layerHandles;
    private Optimizer optimizer;
    private Loss loss;
    private List<Metric> metrics;
    /** How each output is scored, for a model with several outputs; null for one output ({@link #loss}, {@link #metrics}). */
    private OutputScoring scoring;
    /**
     * The model's own seed, drawn from Kiln's stream: each epoch's shuffle derives from it and the
     * epoch number, and saved files keep it so that a loaded model resumes with the same shuffles.
     */
    private long seed;
    private CompiledGraph graph;
    private int inputWidth;
    private volatile boolean closed;
    private volatile boolean stopTraining;
    /** True while fit runs; read under the model's lock, so only its own callbacks can see it set. */
    private boolean fitting;
    /** A rate set before the model was built, applied when it is. */
    private double pendingLearningRate = Double.NaN;

    static {
        Kiln.startWarmingUp(); // Model.load parses a file first: time the kernels can compile in
    }

    Model(List<Layer> layers, Optimizer optimizer, Loss loss, List<Metric> metrics) {
        this(layers, null, optimizer, loss, metrics);
    }

    /**
     * A Sequential model of {@code given} layers (named ones keep their names), each trainable as
     * {@code trainableFlags} says (null: all), compiled with the rest.
     */
    Model(List<Layer> given, List<Boolean> trainableFlags, Optimizer optimizer, Loss loss, List<Metric> metrics) {
        this(checkedChain(given), trainableFlags, optimizer, loss, metrics);
    }

    /** A Sequential model of {@code layers} compiled with {@code losses}: one loss, for its one output. */
    static Model sequential(List<Layer> layers, Optimizer optimizer, OutputLosses losses) {
        return new Model(checkedChain(layers), null, optimizer, null, List.of(), losses);
    }

    private static LayerGraph checkedChain(List<Layer> given) {
        if (given.isEmpty()) {
            throw new IllegalArgumentException("a Sequential model needs at least one layer");
        }
        List<Layer> specs = unwrapped(given);
        for (int i = 1; i < specs.size(); i++) {
            if (specs.get(i) instanceof InputLayer) {
                throw new IllegalArgumentException("Input may only be the first layer, found it at position " + i);
            }
        }
        for (int i = 1; i < given.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (given.get(j) == given.get(i)) {
                    throw new IllegalArgumentException("the Sequential model lists layer " + i + " ("
                            + given.get(i).typeName() + ") at place " + j + " too: a layer in two places of a"
                            + " Sequential would share its weights, which Kiln supports in functional models only"
                            + " (Model.of, applying the layer twice); make a new layer for each place");
                }
            }
        }
        if (specs.stream().noneMatch(l -> !(l instanceof InputLayer))) {
            throw new IllegalArgumentException("the model has no layer after its Input");
        }
        return LayerGraph.chain(given);
    }

    private static List<Layer> unwrapped(List<Layer> layers) {
        return layers.stream().map(l -> l instanceof NamedLayer n ? n.layer() : l).toList();
    }

    /**
     * A model of the layers of {@code topology}, a chain or a functional model's graph, each layer
     * trainable as {@code trainableFlags} says (null: all; one flag per distinct layer, in the order of
     * {@link LayerGraph#distinctLayers()}).
     */
    Model(LayerGraph topology, List<Boolean> trainableFlags, Optimizer optimizer, Loss loss, List<Metric> metrics) {
        this(topology, trainableFlags, optimizer, loss, metrics, null);
    }

    /**
     * A model compiled with {@code perOutput} (one loss, weight and metric list per output) when it is not
     * null, else with {@code loss} and {@code metrics}: on a model with several outputs, the loss of every
     * output and one metric per output, as Keras 3 reads a single loss and a flat metric list.
     */
    Model(LayerGraph topology, List<Boolean> trainableFlags, Optimizer optimizer, Loss loss, List<Metric> metrics,
            OutputLosses perOutput) {
        List<Layer> given = topology.distinctLayers();
        List<Layer> specs = unwrapped(given);
        if (trainableFlags != null && trainableFlags.size() != specs.size()) {
            throw new IllegalArgumentException(trainableFlags.size() + " trainable flags for " + specs.size() + " layers");
        }
        this.topology = topology;
        this.layers = specs;
        this.layerNames = names(given);
        this.weightKeys = automaticNames(specs);
        this.layerAt = topology.layerAtPlaces();
        this.placeNames = topology.perPlace(layerNames);
        OutputScoring resolved = scoring(optimizer, loss, metrics, perOutput);
        if (resolved == null && perOutput == null) {
            checkCompileSettings(topology, optimizer, loss, metrics);
        }
        this.trainable = new boolean[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            this.trainable[i] = trainableFlags == null || trainableFlags.get(i);
        }
        this.compiledTrainable = this.trainable.clone();
        List<ModelLayer> handles = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            if (!(specs.get(i) instanceof InputLayer)) {
                handles.add(new ModelLayer(this, i));
            }
        }
        this.layerHandles = List.copyOf(handles);
        this.optimizer = optimizer;
        this.scoring = resolved;
        this.loss = resolved != null ? resolved.losses().get(0)
                : perOutput != null ? perOutput.resolve(outputNames()).losses().get(0) : loss;
        this.metrics = resolved != null ? allMetrics(resolved) : perOutput != null
                ? perOutput.resolve(outputNames()).metrics().get(0) : List.copyOf(metrics);
        this.seed = Kiln.nextSeed();
        if (layers.get(0) instanceof InputLayer input) {
            ExampleShapes.of(topology, placeNames, input.width()); // each layer checks what it receives
            checkOutputFitsLoss(input.width());
            build(input.width());
        }
    }

    /** How each output is scored; null for a model with one output. */
    OutputScoring scoring() {
        return scoring;
    }

    /**
     * The per-output scoring of a model with several outputs, checked; null for a model with one output,
     * whose {@code perOutput} (if any) must then be one loss of weight 1.
     */
    private OutputScoring scoring(Optimizer optimizer, Loss loss, List<Metric> metrics, OutputLosses perOutput) {
        List<String> names = outputNames();
        if (names.size() == 1) {
            if (perOutput != null) {
                OutputScoring one = perOutput.resolve(names);
                if (one.weights()[0] != 1f) {
                    throw new IllegalArgumentException("a loss weight of " + one.weights()[0] + " was given for a model"
                            + " with one output; loss weights apply to models with several outputs");
                }
                checkCompileSettings(topology, optimizer, one.losses().get(0), one.metrics().get(0));
            }
            return null;
        }
        OutputScoring resolved = perOutput != null ? perOutput.resolve(names)
                : OutputScoring.sameLoss(names, loss, metrics);
        for (int k = 0; k < resolved.count(); k++) {
            checkOutputSettings(resolved.metrics().get(k), resolved.losses().get(k), topology.outputPath(k));
        }
        optimizer.rule();
        return resolved;
    }

    private static List<Metric> allMetrics(OutputScoring scoring) {
        return scoring.metrics().stream().flatMap(List::stream).toList();
    }

    /** Refuses what cannot be compiled together, before anything changes: the checks of compile. */
    private static void checkCompileSettings(LayerGraph topology, Optimizer optimizer, Loss loss,
            List<Metric> metrics) {
        checkOutputSettings(metrics, loss, topology.outputPath());
        optimizer.rule(); // validates the hyper-parameters now rather than at the first fit
    }

    /** The checks of one output's loss and metrics. */
    private static void checkOutputSettings(List<Metric> metrics, Loss loss, List<Layer> outputPath) {
        java.util.Set<String> metricNames = new java.util.HashSet<>();
        for (Metric m : metrics) {
            if (!metricNames.add(m.name())) {
                throw new IllegalArgumentException("two metrics are named '" + m.name() + "': History and evaluate key"
                        + " them by name; give one another name, e.g. new Precision().classId(1).named(\"precision_1\")");
            }
        }
        for (Metric m : metrics) {
            String problem = m.incompatibility(loss);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        LossOutputCheck.atCompile(outputPath, loss);
    }

    // ---- compiling again ------------------------------------------------------------------------

    /**
     * Compiles the model again, as Keras' {@code model.compile} on a model that has weights: the weights
     * stay, the optimizer starts afresh (its state zero, {@link #iterations()} 0, the new optimizer's
     * learning rate), and the loss and metrics are the new ones. Layers' {@link ModelLayer#setTrainable
     * trainable} flags changed since the last compile take effect now. Refused from inside {@code fit};
     * a refused compile leaves the model as it was.
     *
     * <pre>{@code
     * model.getLayer(0).setTrainable(false);                 // freeze the first layer
     * model.compile(new Adam(1e-4), "sparse_categorical_crossentropy", "accuracy");
     * model.fit(x, y, epochs(2));                           // its weights do not move
     * }</pre>
     */
    @Override
    public Model compile(Optimizer optimizer, Loss loss, List<Metric> metrics) {
        return recompile(optimizer, loss, CompileArguments.metrics(metrics.toArray(Metric[]::new)), null);
    }

    /** Compiles again with a loss, loss weight and metrics per output; see {@link OutputLosses}. */
    @Override
    public Model compile(Optimizer optimizer, OutputLosses losses) {
        if (losses == null) {
            throw new IllegalArgumentException("losses is null; expected OutputLosses.of(...) or OutputLosses.byName(...)");
        }
        return recompile(optimizer, null, List.of(), losses);
    }

    private synchronized Model recompile(Optimizer newOptimizer, Loss givenLoss, List<Metric> givenMetrics,
            OutputLosses perOutput) {
        checkOpen();
        checkNotInsideFit("compile");
        if (perOutput == null) {
            CompileArguments.requireNonNull(newOptimizer, givenLoss);
        } else if (newOptimizer == null) {
            throw new IllegalArgumentException("optimizer is null; expected a name such as 'adam' or an Optimizer");
        }
        OutputScoring newScoring = scoring(newOptimizer, givenLoss, givenMetrics, perOutput);
        Loss newLoss = newScoring != null ? newScoring.losses().get(0)
                : perOutput != null ? perOutput.resolve(outputNames()).losses().get(0) : givenLoss;
        List<Metric> newMetrics = newScoring != null ? allMetrics(newScoring)
                : perOutput != null ? perOutput.resolve(outputNames()).metrics().get(0) : givenMetrics;
        if (newScoring == null && perOutput == null) {
            checkCompileSettings(topology, newOptimizer, newLoss, newMetrics);
        }
        if (graph == null) {
            optimizer = newOptimizer;
            loss = newLoss;
            metrics = List.copyOf(newMetrics);
            scoring = newScoring;
            pendingLearningRate = Double.NaN;
            compiledTrainable = trainable.clone();
            return this;
        }
        checkOutputsFitLosses(inputWidth, newScoring, newLoss);
        List<float[]> weights = new ArrayList<>();
        for (int i = 0; i < graph.parameters().size(); i++) {
            weights.add(graph.readParameter(i));
        }
        boolean[] flags = trainable.clone();
        CompiledGraph rebuilt = compileGraph(inputWidth, newOptimizer, newLoss, newMetrics, newScoring, flags,
                Double.NaN);
        for (int i = 0; i < weights.size(); i++) {
            rebuilt.writeParameter(i, weights.get(i)); // same layers, so the same weights in the same order
        }
        graph.close();
        graph = rebuilt;
        optimizer = newOptimizer;
        loss = newLoss;
        metrics = List.copyOf(newMetrics);
        scoring = newScoring;
        pendingLearningRate = Double.NaN;
        compiledTrainable = flags;
        return this;
    }

    /**
     * A functional model (Keras' {@code keras.Model(inputs, outputs)}): the layers between {@code input}
     * and {@code output}, to be compiled. See {@link Functional}.
     *
     * <pre>{@code
     * var in = Input(784);
     * var out = Dense(10, "softmax").apply(Dense(64, "relu").apply(in));
     * Model model = Model.of(in, out).compile("adam", "sparse_categorical_crossentropy");
     * }</pre>
     */
    public static Functional of(InputLayer input, SymbolicTensor output) {
        return Functional.of(input, output);
    }

    /** A functional model with several inputs; data is then passed as a List, one array per input, in this order. */
    public static Functional of(List<InputLayer> inputs, SymbolicTensor output) {
        return Functional.of(inputs, output);
    }

    /**
     * A functional model with several outputs (Keras' {@code keras.Model(inputs, [out_1, out_2])}): targets
     * are then passed as a List (or a Map by output name), one array per output, and {@link #predictOutputs}
     * gives one array per output. Compile it with {@link OutputLosses} for a loss per output.
     */
    public static Functional of(List<InputLayer> inputs, List<SymbolicTensor> outputs) {
        return Functional.of(inputs, outputs);
    }

    /** A functional model with one input and several outputs; see {@link #of(List, List)}. */
    public static Functional of(InputLayer input, List<SymbolicTensor> outputs) {
        return Functional.of(input, outputs);
    }

    // ---- training and inference -----------------------------------------------------------------

    /** Trains a model with several inputs: {@code x} holds one float[][] or Tensor per input, in order. */
    public History fit(List<?> x, int[] y, FitOption... options) {
        return fitAny(x, y, options);
    }

    public History fit(List<?> x, float[][] y, FitOption... options) {
        return fitAny(x, y, options);
    }

    /** Scores a model with several inputs: {@code x} holds one float[][] or Tensor per input, in order. */
    public Map<String, Double> evaluate(List<?> x, int[] y) {
        return evaluateAny(x, y);
    }

    public Map<String, Double> evaluate(List<?> x, float[][] y) {
        return evaluateAny(x, y);
    }

    /** The outputs of a model with several inputs: {@code x} holds one float[][] or Tensor per input, in order. */
    public float[][] predict(List<?> x) {
        return predictAny(x);
    }

    /**
     * Trains a model with several outputs: {@code y} holds one int[] or float[][] per output, in the order of
     * the outputs ({@code List.of(labels, values)}), or is a Map from output name to it. Sample weights
     * ({@code sampleWeight(w)}) weight every output's loss.
     */
    public History fit(float[][] x, List<?> y, FitOption... options) {
        return fitAny(x, y, options);
    }

    /** As {@link #fit(float[][], List, FitOption...)}, with the targets by output name. */
    public History fit(float[][] x, Map<String, ?> y, FitOption... options) {
        return fitAny(x, y, options);
    }

    /** Trains a model with several inputs and several outputs: one array per input in x, per output in y. */
    public History fit(List<?> x, List<?> y, FitOption... options) {
        return fitAny(x, y, options);
    }

    /**
     * Scores a model with several outputs: {@code {loss=…, <output>_loss=…, <output>_<metric>=…}}, sorted
     * by name as Keras 3 returns them; {@code y} holds one array per output, in order.
     */
    public Map<String, Double> evaluate(float[][] x, List<?> y) {
        return evaluateAny(x, y);
    }

    /** As {@link #evaluate(float[][], List)}, with the targets by output name. */
    public Map<String, Double> evaluate(float[][] x, Map<String, ?> y) {
        return evaluateAny(x, y);
    }

    public Map<String, Double> evaluate(List<?> x, List<?> y) {
        return evaluateAny(x, y);
    }

    /**
     * The outputs of every row of {@code x}, one array per output in the order of the model's outputs (a
     * list of one for a model with one output), as Keras' {@code predict} returns a list for several outputs.
     */
    public List<float[][]> predictOutputs(float[][] x) {
        return predictOutputsAny(x);
    }

    public List<float[][]> predictOutputs(Tensor x) {
        return predictOutputsAny(x);
    }

    /** As {@link #predictOutputs(float[][])}, for a model with several inputs: one array per input in x. */
    public List<float[][]> predictOutputs(List<?> x) {
        return predictOutputsAny(x);
    }

    public History fit(float[][] x, int[] y, FitOption... options) {
        return fitAny(x, y, options);
    }

    public History fit(float[][] x, float[][] y, FitOption... options) {
        return fitAny(x, y, options);
    }

    public History fit(Tensor x, int[] y, FitOption... options) {
        return fitAny(x, y, options);
    }

    public History fit(Tensor x, Tensor y, FitOption... options) {
        return fitAny(x, y, options);
    }

    public History fit(Tensor x, float[][] y, FitOption... options) {
        return fitAny(x, y, options);
    }

    public History fit(float[][] x, Tensor y, FitOption... options) {
        return fitAny(x, y, options);
    }

    /** Loss and metrics over all of {@code x}: {@code {loss=…, accuracy=…}}. */
    public Map<String, Double> evaluate(float[][] x, int[] y) {
        return evaluateAny(x, y);
    }

    public Map<String, Double> evaluate(float[][] x, float[][] y) {
        return evaluateAny(x, y);
    }

    public Map<String, Double> evaluate(Tensor x, int[] y) {
        return evaluateAny(x, y);
    }

    public Map<String, Double> evaluate(Tensor x, Tensor y) {
        return evaluateAny(x, y);
    }

    public Map<String, Double> evaluate(Tensor x, float[][] y) {
        return evaluateAny(x, y);
    }

    public Map<String, Double> evaluate(float[][] x, Tensor y) {
        return evaluateAny(x, y);
    }

    /**
     * Loss and metrics over all of {@code x} with a weight per row (Keras' {@code sample_weight}, finite
     * and >= 0): the loss is the weighted sum of the per-row losses divided by the number of rows, as
     * {@link FitOption#sampleWeight} weights it in training; metrics stay unweighted, as in Keras.
     *
     * <pre>{@code
     * Map<String, Double> logs = model.evaluate(xTest, yTest, weights);
     * }</pre>
     */
    public Map<String, Double> evaluate(float[][] x, int[] y, float[] sampleWeight) {
        return evaluateAny(x, y, sampleWeight);
    }

    public Map<String, Double> evaluate(float[][] x, float[][] y, float[] sampleWeight) {
        return evaluateAny(x, y, sampleWeight);
    }

    public Map<String, Double> evaluate(Tensor x, int[] y, float[] sampleWeight) {
        return evaluateAny(x, y, sampleWeight);
    }

    public Map<String, Double> evaluate(Tensor x, Tensor y, float[] sampleWeight) {
        return evaluateAny(x, y, sampleWeight);
    }

    public Map<String, Double> evaluate(Tensor x, float[][] y, float[] sampleWeight) {
        return evaluateAny(x, y, sampleWeight);
    }

    public Map<String, Double> evaluate(float[][] x, Tensor y, float[] sampleWeight) {
        return evaluateAny(x, y, sampleWeight);
    }

    /**
     * Loss and metrics as {@link #evaluate}, plus the confusion matrix of the arg-max predictions
     * (per-class true/false positives, false negatives, support), in one pass over {@code x}.
     *
     * <pre>{@code
     * Evaluation e = model.evaluateDetailed(xTest, yTest);
     * System.out.println(e.confusionMatrix());   // precision, recall, f1, support per class
     * }</pre>
     */
    public Evaluation evaluateDetailed(float[][] x, int[] y) {
        return evaluateDetailedAny(x, y);
    }

    public Evaluation evaluateDetailed(float[][] x, float[][] y) {
        return evaluateDetailedAny(x, y);
    }

    public Evaluation evaluateDetailed(Tensor x, int[] y) {
        return evaluateDetailedAny(x, y);
    }

    public Evaluation evaluateDetailed(Tensor x, Tensor y) {
        return evaluateDetailedAny(x, y);
    }

    private synchronized Evaluation evaluateDetailedAny(Object xArg, Object yArg) {
        checkOpen();
        Inputs x = Inputs.of(xArg, "x");
        checkInputs(x, "x");
        requireOneOutput("evaluateDetailed");
        Targets y = Targets.of(yArg, loss, outputWidthFor(x.width()), "y");
        if (x.count() != y.count()) {
            throw new IllegalArgumentException("x has " + x.count() + " rows but y has " + y.count());
        }
        ensureBuilt(x.width());
        return DetailedEvaluation.run(this, graph, x, y, INFERENCE_BATCH);
    }

    /** The model's outputs for every row of {@code x} (probabilities after a softmax). */
    public float[][] predict(float[][] x) {
        return predictAny(x);
    }

    public float[][] predict(Tensor x) {
        return predictAny(x);
    }

    private synchronized History fitAny(Object xArg, Object yArg, FitOption... options) {
        checkOpen();
        checkNotInsideFit("fit");
        checkTrainableCompiled("fit");
        FitSettings settings = FitSettings.of(options);
        Inputs x = Inputs.of(xArg, "x");
        checkInputs(x, "x");
        int outputs = outputWidthFor(x.width());
        Targets y = targets(yArg, x.width(), "y");
        if (x.count() != y.count()) {
            throw new IllegalArgumentException("x has " + x.count() + " rows but y has " + y.count()
                    + ": they must have one target per row");
        }
        if (settings.stepsPerEpoch() > 0) {
            throw new IllegalArgumentException("stepsPerEpoch applies to a Dataset; with arrays an epoch is every"
                    + " row (fit Dataset.of(x, y) to take a number of batches per epoch)");
        }
        float[] weights = settings.sampleWeight() != null
                ? SampleWeights.check(settings.sampleWeight(), x.count(), "sampleWeight")
                : settings.classWeight() != null ? classWeights(settings.classWeight(), y, outputs) : null;
        Inputs valX = null;
        Targets valY = null;
        float[] valWeights = null;
        Inputs trainX = x;
        Targets trainY = y;
        float[] trainWeights = weights;
        Dataset valData = settings.validationData() != null && settings.validationData().x() instanceof Dataset d
                ? d : null;
        if (valData != null) {
            if (settings.validationSplit() > 0) {
                throw new IllegalArgumentException("give validationData or validationSplit, not both");
            }
        } else if (settings.validationData() != null) {
            valX = Inputs.of(settings.validationData().x(), "validation x");
            checkInputs(valX, "validation x");
            if (valX.width() != x.width()) {
                throw new IllegalArgumentException("validation x rows have " + valX.width() + " features but x rows have "
                        + x.width());
            }
            valY = targets(settings.validationData().y(), x.width(), "validation y");
            if (valX.count() != valY.count()) {
                throw new IllegalArgumentException("validation x has " + valX.count() + " rows but validation y has "
                        + valY.count());
            }
            if (settings.validationData().sampleWeight() != null) {
                valWeights = SampleWeights.check(settings.validationData().sampleWeight(), valX.count(),
                        "validation sampleWeight");
            }
        } else if (settings.validationSplit() > 0) {
            // As Keras: the last fraction of the rows, taken before any shuffling.
            int split = (int) Math.floor(x.count() * (1 - settings.validationSplit()));
            if (split <= 0 || split >= x.count()) {
                throw new IllegalArgumentException("validationSplit " + settings.validationSplit() + " of " + x.count()
                        + " rows leaves " + split + " for training and " + (x.count() - split)
                        + " for validation: both need at least one row");
            }
            trainX = x.slice(0, split);
            trainY = y.slice(0, split);
            valX = x.slice(split, x.count());
            valY = y.slice(split, x.count());
            trainWeights = SampleWeights.slice(weights, 0, split);
            // Keras splits sample weights with the rows; class weights weight training rows only.
            valWeights = settings.sampleWeight() == null ? null : SampleWeights.slice(weights, split, x.count());
        }
        ensureBuilt(x.width());
        Inputs vx = valX;
        Targets vy = valY;
        float[] vw = valWeights;
        Supplier<Map<String, Double>> validation = valData != null ? validation(valData, x.width())
                : vx != null ? () -> evaluateChecked(vx, vy, vw, "val_") : null;
        fitting = true;
        try (TrainingBatches batches = new ArrayBatches(trainX, trainY, trainWeights, settings.batchSize(), seed,
                settings.shuffle())) {
            return new Trainer(this, graph, settings).run(batches, validation);
        } finally {
            fitting = false;
        }
    }

    /**
     * Trains on a {@link Dataset}'s batches, as {@code fit} on arrays does (callbacks, History, progress),
     * with the dataset's batch size and order: {@code batchSize} and {@code validationSplit} are refused, as
     * Keras refuses them for a dataset, and {@code shuffle} has no effect ({@link Dataset#shuffle} has).
     * {@code stepsPerEpoch(n)} makes each epoch the next n batches of one shared pass.
     *
     * <pre>{@code
     * Dataset train = Dataset.fromNpy(Path.of("x.npy"), Path.of("y.npy")).shuffle(10_000, 7).batch(128);
     * History h = model.fit(train, epochs(3), validationData(Dataset.fromNpy(xVal, yVal)));
     * }</pre>
     *
     * @throws java.io.UncheckedIOException when reading the data fails
     */
    public synchronized History fit(Dataset data, FitOption... options) {
        checkOpen();
        checkNotInsideFit("fit");
        FitSettings settings = FitSettings.of(options);
        if (data == null) {
            throw new IllegalArgumentException("the dataset must not be null");
        }
        if (settings.batchSizeGiven()) {
            throw new IllegalArgumentException("batchSize cannot be given with a Dataset: its batches are its own"
                    + " (set them with dataset.batch(n))");
        }
        if (settings.validationSplit() > 0) {
            throw new IllegalArgumentException("validationSplit works on arrays only, as in Keras: a dataset"
                    + " cannot be split without reading it; give validationData(otherDataset)");
        }
        if (settings.validationData() != null && !(settings.validationData().x() instanceof Dataset)) {
            throw new IllegalArgumentException("with a Dataset, give validationData(Dataset.of(xVal, yVal))");
        }
        if (settings.sampleWeight() != null || settings.classWeight() != null) {
            throw new IllegalArgumentException("sampleWeight and classWeight apply to arrays; a Dataset's batches carry"
                    + " no weights yet: fit arrays, or leave the weights out");
        }
        try (DatasetBatches batches = new DatasetBatches(data, settings.stepsPerEpoch(), settings.initialEpoch(),
                "the dataset")) {
            checkDatasetWidth(batches.xWidth(), "dataset");
            batches.expectTargets(loss, outputWidthFor(batches.xWidth()));
            Supplier<Map<String, Double>> validation = settings.validationData() == null ? null
                    : validation((Dataset) settings.validationData().x(), batches.xWidth());
            ensureBuilt(batches.xWidth());
            fitting = true;
            try {
                return new Trainer(this, graph, settings).run(batches, validation);
            } finally {
                fitting = false;
            }
        }
    }

    private Supplier<Map<String, Double>> validation(Dataset data, int width) {
        return () -> evaluateDataset(data, width, "val_", "validation dataset");
    }

    /** Loss and metrics over one pass of {@code data}: {@code {loss=…, accuracy=…}}. */
    public synchronized Map<String, Double> evaluate(Dataset data) {
        checkOpen();
        if (data == null) {
            throw new IllegalArgumentException("the dataset must not be null");
        }
        return evaluateDataset(data, 0, "", "the dataset");
    }

    /** One pass of evaluation; {@code width} 0 when the model may still need building from it. */
    private Map<String, Double> evaluateDataset(Dataset data, int width, String prefix, String what) {
        try (DatasetBatches batches = new DatasetBatches(data, 0, 0, what)) {
            if (width != 0 && batches.xWidth() != width) {
                throw new IllegalArgumentException(what + " rows have " + batches.xWidth()
                        + " features but the training rows have " + width);
            }
            checkDatasetWidth(batches.xWidth(), what);
            batches.expectTargets(loss, outputWidthFor(batches.xWidth()));
            ensureBuilt(batches.xWidth());
            BatchTotals totals = new BatchTotals(metrics, reductions(graph.outputWidth()));
            for (int rows = batches.next(); rows > 0; rows = batches.next()) {
                batches.load(graph);
                graph.evaluateStep(rows);
                totals.add(graph, rows);
            }
            return totals.means(prefix);
        }
    }

    /** The model's outputs for every row of one pass of {@code data} (its targets, if any, are not read). */
    public synchronized float[][] predict(Dataset data) {
        checkOpen();
        if (data == null) {
            throw new IllegalArgumentException("the dataset must not be null");
        }
        try (DatasetBatches batches = new DatasetBatches(data, 0, 0, "the dataset")) {
            checkDatasetWidth(batches.xWidth(), "dataset");
            ensureBuilt(batches.xWidth());
            List<float[]> out = new ArrayList<>();
            for (int rows = batches.next(); rows > 0; rows = batches.next()) {
                batches.loadInputs(graph);
                graph.predictStep(rows);
                float[][] part = new float[rows][graph.outputWidth()];
                graph.readOutputs(part, 0, rows);
                out.addAll(Arrays.asList(part));
            }
            return out.toArray(new float[0][]);
        }
    }

    // ---- one batch ----------------------------------------------------------------------------

    /**
     * One training step on exactly these rows, as Keras' {@code train_on_batch}: no callbacks, History,
     * progress or shuffling, so a call costs the step and the copy of the rows. Returns the batch's loss
     * and metrics measured in that step's forward pass (before its update), as Keras'
     * {@code train_on_batch(..., return_dict=True)}.
     *
     * <pre>{@code
     * for (Batch b : myBatches) {
     *     Map<String, Double> logs = model.trainOnBatch(b.x(), labels);
     * }
     * }</pre>
     *
     * @throws NonFiniteLossException when the loss becomes NaN or infinite; the step's update is not applied
     */
    public Map<String, Double> trainOnBatch(float[][] x, int[] y) {
        return onBatch(x, y, true);
    }

    public Map<String, Double> trainOnBatch(float[][] x, float[][] y) {
        return onBatch(x, y, true);
    }

    public Map<String, Double> trainOnBatch(Tensor x, Tensor y) {
        return onBatch(x, y, true);
    }

    public Map<String, Double> trainOnBatch(Tensor x, int[] y) {
        return onBatch(x, y, true);
    }

    /** Loss and metrics of these rows, as Keras' {@code test_on_batch(..., return_dict=True)}; no update. */
    public Map<String, Double> testOnBatch(float[][] x, int[] y) {
        return onBatch(x, y, false);
    }

    public Map<String, Double> testOnBatch(float[][] x, float[][] y) {
        return onBatch(x, y, false);
    }

    public Map<String, Double> testOnBatch(Tensor x, Tensor y) {
        return onBatch(x, y, false);
    }

    public Map<String, Double> testOnBatch(Tensor x, int[] y) {
        return onBatch(x, y, false);
    }

    /** The outputs for these rows in one step, as Keras' {@code predict_on_batch}. */
    public float[][] predictOnBatch(float[][] x) {
        return predictAny(x);
    }

    public float[][] predictOnBatch(Tensor x) {
        return predictAny(x);
    }

    private synchronized Map<String, Double> onBatch(Object xArg, Object yArg, boolean train) {
        checkOpen();
        if (train) {
            checkNotInsideFit("trainOnBatch");
        }
        Inputs x = Inputs.of(xArg, "x");
        checkInputs(x, "x");
        // Built, the graph knows its output width: no shape walk through the layers per call.
        Targets y = scoring != null ? targets(yArg, x.width(), "y")
                : Targets.of(yArg, loss, graph != null ? graph.outputWidth() : outputWidthFor(x.width()), "y");
        if (x.count() != y.count()) {
            throw new IllegalArgumentException("x has " + x.count() + " rows but y has " + y.count()
                    + ": they must have one target per row");
        }
        ensureBuilt(x.width());
        int rows = x.count();
        graph.ensureCapacity(rows);
        x.load(graph, null, 0, rows);
        y.load(graph, null, 0, rows);
        if (train) {
            if (optimizer.schedule() != null) {
                graph.setLearningRate((float) optimizer.schedule().at(graph.iterations()));
            }
            NonFiniteLossGuard.trainStep(graph, rows, 0, 1, 0, 1, List.of());
        } else {
            graph.evaluateStep(rows);
        }
        BatchTotals totals = newTotals();
        totals.add(graph, rows);
        return totals.means("");
    }

    /**
     * Refuses what a callback may not do to the model it is called from: fit it again, or close it
     * under the running fit. (Another thread's call simply waits for the fit to end.)
     */
    private void checkNotInsideFit(String call) {
        if (fitting) {
            throw new IllegalStateException(call + "() was called from inside fit (from a callback); call"
                    + " model.stopTraining() there instead, and " + call + " after fit returns");
        }
    }

    private Map<String, Double> evaluateAny(Object xArg, Object yArg) {
        return evaluateAny(xArg, yArg, null);
    }

    private synchronized Map<String, Double> evaluateAny(Object xArg, Object yArg, float[] sampleWeight) {
        checkOpen();
        Inputs x = Inputs.of(xArg, "x");
        checkInputs(x, "x");
        Targets y = targets(yArg, x.width(), "y");
        if (x.count() != y.count()) {
            throw new IllegalArgumentException("x has " + x.count() + " rows but y has " + y.count());
        }
        float[] weights = null;
        if (sampleWeight != null) {
            weights = SampleWeights.check(sampleWeight.clone(), x.count(), "sampleWeight");
        }
        ensureBuilt(x.width());
        return evaluateChecked(x, y, weights, "");
    }

    /** {@code weights} null evaluates unweighted. */
    Map<String, Double> evaluateChecked(Inputs x, Targets y, float[] weights, String prefix) {
        int batch = Math.min(INFERENCE_BATCH, x.count());
        graph.ensureCapacity(batch);
        BatchTotals totals = newTotals();
        for (int from = 0; from < x.count(); from += batch) {
            int n = Math.min(batch, x.count() - from);
            x.load(graph, null, from, n);
            y.load(graph, null, from, n);
            if (weights != null) {
                graph.loadSampleWeights(weights, null, from, n);
            }
            graph.evaluateStep(n);
            totals.add(graph, n);
        }
        return totals.means(prefix);
    }

    /** Keras refuses class weights for a model with several outputs, since a class is an output's notion. */
    private float[] classWeights(Map<Integer, Double> classWeight, Targets y, int outputs) {
        if (scoring != null) {
            throw new IllegalArgumentException("classWeight is only supported for a model with one output, as in"
                    + " Keras; this one has " + scoring.names() + ": give sampleWeight instead");
        }
        return SampleWeights.ofClasses(classWeight, y, outputs);
    }

    private synchronized List<float[][]> predictOutputsAny(Object xArg) {
        checkOpen();
        Inputs x = Inputs.of(xArg, "x");
        checkInputs(x, "x");
        ensureBuilt(x.width());
        int batch = Math.min(INFERENCE_BATCH, x.count());
        graph.ensureCapacity(batch);
        List<float[][]> out = new ArrayList<>();
        for (int k = 0; k < graph.outputCount(); k++) {
            out.add(new float[x.count()][graph.outputWidth(k)]);
        }
        for (int from = 0; from < x.count(); from += batch) {
            int n = Math.min(batch, x.count() - from);
            x.load(graph, null, from, n);
            graph.predictStep(n);
            for (int k = 0; k < out.size(); k++) {
                graph.readOutputs(k, out.get(k), from, n);
            }
        }
        return out;
    }

    private synchronized float[][] predictAny(Object xArg) {
        checkOpen();
        if (scoring != null) {
            throw new IllegalArgumentException("the model has several outputs " + scoring.names() + ": call"
                    + " predictOutputs, which gives one array per output");
        }
        Inputs x = Inputs.of(xArg, "x");
        checkInputs(x, "x");
        ensureBuilt(x.width());
        int batch = Math.min(INFERENCE_BATCH, x.count());
        graph.ensureCapacity(batch);
        float[][] out = new float[x.count()][graph.outputWidth()];
        for (int from = 0; from < x.count(); from += batch) {
            int n = Math.min(batch, x.count() - from);
            x.load(graph, null, from, n);
            graph.predictStep(n);
            graph.readOutputs(out, from, n);
        }
        return out;
    }

    // ---- weights ------------------------------------------------------------------------------

    /**
     * The weights in Keras' order: per layer its kernel ([in×out] row-major, flattened) then its bias;
     * normalization layers gamma, beta (then, for BatchNormalization, moving_mean, moving_variance).
     * Empty while the model is not built.
     */
    public synchronized List<float[]> getWeights() {
        checkOpen();
        List<float[]> out = new ArrayList<>();
        if (graph != null) {
            for (int i = 0; i < graph.parameters().size(); i++) {
                out.add(graph.readParameter(i));
            }
        }
        return out;
    }

    /**
     * Every weight with its name, shape and values (a copy), in {@link #getWeights()} order, as Keras'
     * {@code model.weights}; {@link Weight#trainable()} says whether {@code fit} updates it. Empty while the
     * model is not built.
     *
     * <pre>{@code
     * model.weights();   // [dense/kernel [784, 128], dense/bias [128], dense_1/kernel [128, 10], dense_1/bias [10]]
     * }</pre>
     */
    public synchronized List<Weight> weights() {
        checkOpen();
        List<Weight> out = new ArrayList<>();
        if (graph != null) {
            for (int i = 0; i < graph.parameters().size(); i++) {
                out.add(weight(i));
            }
        }
        return out;
    }

    /** Of {@link #weights()}, those {@code fit} updates (Keras' {@code model.trainable_weights}). */
    public synchronized List<Weight> trainableWeights() {
        return weights().stream().filter(Weight::trainable).toList();
    }

    /** Of {@link #weights()}, those {@code fit} does not update: frozen layers' and moving statistics. */
    public synchronized List<Weight> nonTrainableWeights() {
        return weights().stream().filter(w -> !w.trainable()).toList();
    }

    private Weight weight(int parameter) {
        Parameter p = graph.parameters().get(parameter);
        return new Weight(p.name(), p.shape(), p.trainable(), graph.readParameter(parameter));
    }

    /** The indexes, among the compiled graph's parameters, of layer {@code layer}'s weights. */
    private List<Integer> parametersOf(int layer) {
        List<Integer> out = new ArrayList<>();
        String prefix = layerNames.get(layer) + "/";
        for (int i = 0; i < graph.parameters().size(); i++) {
            if (graph.parameters().get(i).name().startsWith(prefix)) {
                out.add(i);
            }
        }
        return out;
    }

    // ---- one layer (what ModelLayer reaches) ------------------------------------------------------

    synchronized List<Weight> layerWeights(int layer) {
        checkOpen();
        List<Weight> out = new ArrayList<>();
        if (graph != null) {
            for (int i : parametersOf(layer)) {
                out.add(weight(i));
            }
        }
        return out;
    }

    synchronized void setLayerWeights(int layer, List<float[]> weights) {
        checkOpen();
        if (graph == null) {
            throw new IllegalStateException("the model is not built yet: add an Input layer or call fit/predict first");
        }
        List<Integer> mine = parametersOf(layer);
        List<Parameter> params = graph.parameters();
        if (weights == null || weights.size() != mine.size()) {
            throw new IllegalArgumentException("layer '" + layerNames.get(layer) + "' has " + mine.size() + " weights ("
                    + mine.stream().map(params::get).toList() + ") but got " + (weights == null ? "null" : weights.size()));
        }
        for (int j = 0; j < mine.size(); j++) {
            Parameter p = params.get(mine.get(j));
            float[] w = weights.get(j);
            if (w == null || w.length != p.size()) {
                throw new IllegalArgumentException("weight " + j + " of layer '" + layerNames.get(layer) + "' (" + p
                        + ") needs " + p.size() + " values but got " + (w == null ? "null" : w.length));
            }
            String problem = WeightChecks.problem(w, mine.get(j), p);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        for (int j = 0; j < mine.size(); j++) {
            graph.writeParameter(mine.get(j), weights.get(j));
        }
    }

    synchronized boolean isTrainable(int layer) {
        checkOpen();
        return trainable[layer];
    }

    synchronized void setTrainable(int layer, boolean value) {
        checkOpen();
        trainable[layer] = value;
    }

    /** The flags as set now, for summaries and files. */
    synchronized boolean[] trainableFlags() {
        return trainable.clone();
    }

    /**
     * Refuses {@code what} while a layer's trainable flag differs from the one the model was compiled with:
     * as in Keras, the change takes effect at the next compile, and training (or saving) in between would
     * silently ignore it.
     */
    private void checkTrainableCompiled(String what) {
        if (graph == null || java.util.Arrays.equals(trainable, compiledTrainable)) {
            return;
        }
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < trainable.length; i++) {
            if (trainable[i] != compiledTrainable[i]) {
                changed.add("'" + layerNames.get(i) + "' (now trainable=" + trainable[i] + ")");
            }
        }
        throw new IllegalStateException("layer " + String.join(", ", changed) + " changed its trainable flag after"
                + " the model was compiled; call model.compile(...) again before " + what + ", so that the change"
                + " takes effect (as in Keras: compile keeps the weights)");
    }

    /** Replaces every weight; the list must match {@link #getWeights()} in count and sizes. */
    public synchronized void setWeights(List<float[]> weights) {
        checkOpen();
        if (graph == null) {
            throw new IllegalStateException("the model is not built yet: add an Input layer or call fit/predict first");
        }
        List<Parameter> params = graph.parameters();
        if (weights == null || weights.size() != params.size()) {
            throw new IllegalArgumentException("expected " + params.size() + " weight arrays (" + params + ") but got "
                    + (weights == null ? "null" : weights.size()));
        }
        for (int i = 0; i < params.size(); i++) {
            float[] w = weights.get(i);
            if (w == null || w.length != params.get(i).size()) {
                throw new IllegalArgumentException("weight " + i + " (" + params.get(i) + ") needs "
                        + params.get(i).size() + " values but got " + (w == null ? "null" : w.length));
            }
            String problem = WeightChecks.problem(w, i, params.get(i));
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        for (int i = 0; i < params.size(); i++) {
            graph.writeParameter(i, weights.get(i));
        }
    }

    // ---- optimizer state (for training loops outside fit) ----------------------------------------

    /**
     * The optimizer's per-weight state, one array per weight and slot: for each slot the optimizer keeps
     * ({@link Optimizer#slotNames()}; Adam: {@code momentum}, then {@code velocity}) one array per weight in
     * {@link #getWeights()} order, slot-major as a {@code .kiln} file keeps them. Empty for plain SGD and
     * while the model is not built.
     *
     * <p>With {@link #getWeights()} and {@link #iterations()} this is everything {@code fit} changes, so a
     * training loop outside {@code fit} (Kiln's Spark module averages replicas of a model) can copy a
     * model's training state into another through these accessors and their setters, without a file.
     *
     * <pre>{@code
     * replica.setWeights(model.getWeights());
     * replica.setOptimizerSlots(model.getOptimizerSlots());
     * replica.setIterations(model.iterations());
     * }</pre>
     */
    public synchronized List<float[]> getOptimizerSlots() {
        checkOpen();
        List<float[]> out = new ArrayList<>();
        if (graph != null) {
            for (int s = 0; s < graph.optimizerSlots(); s++) {
                for (int i = 0; i < graph.parameters().size(); i++) {
                    out.add(graph.readSlot(s, i));
                }
            }
        }
        return out;
    }

    /**
     * Replaces the optimizer's state; the list must match {@link #getOptimizerSlots()} in count and sizes,
     * hold finite numbers, and numbers >= 0 in slots that are means of squares (Adam's velocity). Nothing
     * is written unless all of it is valid.
     */
    public synchronized void setOptimizerSlots(List<float[]> slots) {
        checkOpen();
        if (graph == null) {
            throw new IllegalStateException("the model is not built yet: add an Input layer or call fit/predict first");
        }
        List<Parameter> params = graph.parameters();
        int expected = graph.optimizerSlots() * params.size();
        if (slots == null || slots.size() != expected) {
            throw new IllegalArgumentException("expected " + expected + " optimizer slot arrays (" + graph.optimizerSlots()
                    + " slots " + optimizer.slotNames() + " × " + params.size() + " weights) but got "
                    + (slots == null ? "null" : slots.size()));
        }
        for (int k = 0; k < expected; k++) {
            int s = k / params.size();
            Parameter p = params.get(k % params.size());
            float[] v = slots.get(k);
            if (v == null || v.length != p.size()) {
                throw new IllegalArgumentException("optimizer slot array " + k + " (" + optimizer.slotNames().get(s)
                        + " of " + p + ") needs " + p.size() + " values but got " + (v == null ? "null" : v.length));
            }
            int bad = Parameter.firstInvalid(v, graph.slotNonNegative(s));
            if (bad >= 0) {
                throw new IllegalArgumentException("optimizer slot array " + k + " (" + optimizer.slotNames().get(s)
                        + " of " + p + ") element " + bad + " is " + v[bad] + ": it must be a finite number"
                        + (graph.slotNonNegative(s) ? " >= 0" : ""));
            }
        }
        for (int k = 0; k < expected; k++) {
            graph.writeSlot(k / params.size(), k % params.size(), slots.get(k));
        }
    }

    /**
     * Sets the optimizer's step count (Keras' {@code optimizer.iterations}): Adam's bias correction and a
     * learning-rate schedule then continue from step {@code iterations}.
     */
    public synchronized void setIterations(long iterations) {
        checkOpen();
        if (graph == null) {
            throw new IllegalStateException("the model is not built yet: add an Input layer or call fit/predict first");
        }
        graph.setIterations(iterations);
    }

    /**
     * The seed of the model's dropout masks (0 when it has no Dropout layer, or is not built yet). With
     * {@link #setDropoutStream} a loop outside {@code fit} decides which masks a step draws, so that a step
     * taken again (a retried task) draws the same ones.
     */
    public synchronized long dropoutSeed() {
        checkOpen();
        return graph == null ? 0 : graph.dropoutSeed();
    }

    /**
     * Makes the next training step draw its dropout masks as if {@code step} steps had drawn from the
     * stream of {@code seed} (the masks of a step depend on these two numbers alone).
     */
    public synchronized void setDropoutStream(long seed, long step) {
        checkOpen();
        if (graph == null) {
            throw new IllegalStateException("the model is not built yet: add an Input layer or call fit/predict first");
        }
        if (step < 0) {
            throw new IllegalArgumentException("the dropout step must be >= 0, got " + step);
        }
        graph.restoreDropout(seed, step);
    }

    /**
     * The order in which {@code fit} visits {@code rows} training rows in epoch {@code epoch} when it
     * shuffles (the default): a permutation of {@code 0 .. rows − 1} that depends on the model's seed (which
     * {@code .kiln} files keep), the epoch and the row count alone. A loop outside {@code fit} that gathers
     * the rows in this order and fits them with {@code shuffle(false)} takes exactly fit's steps.
     */
    public synchronized int[] epochOrder(int epoch, int rows) {
        checkOpen();
        if (epoch < 0 || rows < 0) {
            throw new IllegalArgumentException("epochOrder needs epoch >= 0 and rows >= 0, got epoch " + epoch
                    + " and rows " + rows);
        }
        int[] order = new int[rows];
        Trainer.fillOrder(order, seed, epoch, true);
        return order;
    }

    // ---- files --------------------------------------------------------------------------------

    /**
     * Writes the whole model to one file: architecture, compile settings, weights and optimizer state,
     * so that {@link #load} gives a model that predicts identically and continues training where this
     * one is. A name ending in {@code .kiln} gives Kiln's file (a zip of {@code config.json} and
     * {@code model.safetensors}, which also keeps the seeds of shuffling and dropout); one ending in
     * {@code .keras} gives Keras 3's own file, which {@code keras.models.load_model} opens. The write is
     * atomic: a crash leaves any previous file whole.
     *
     * <pre>{@code
     * model.save(Path.of("fashion.kiln"));
     * model.save(Path.of("fashion.keras"));
     * Model again = Model.load(Path.of("fashion.keras"));
     * }</pre>
     *
     * <p>Like every file method of Kiln's everyday API, this one throws no checked exception: an I/O
     * failure is an {@link java.io.UncheckedIOException} with the {@link java.io.IOException} as its cause.
     *
     * @throws IllegalArgumentException     when the name ends in neither {@code .kiln} nor {@code .keras}
     * @throws java.io.UncheckedIOException when the file cannot be written
     */
    public synchronized void save(Path path) {
        checkOpen();
        checkTrainableCompiled("save");
        if (SavedModels.formatOf(path, "save", ModelFiles.MODEL_SUFFIX, KerasFiles.MODEL_SUFFIX) == KERAS) {
            UncheckedFiles.run(() -> KerasFiles.save(this, path));
        } else {
            UncheckedFiles.run(() -> ModelFiles.save(this, path));
        }
    }

    /**
     * Reads a model written by {@link #save}, or a {@code .keras} file written by Keras 3: compiled,
     * with its weights, optimizer state, step count and learning rate restored, so {@code predict}
     * gives what the saving side gave and {@code fit} goes on from there.
     *
     * @throws java.io.UncheckedIOException when the file cannot be read; its cause is a
     *                                      {@link dev.kiln.io.ModelFormatException} when the file is damaged,
     *                                      is of another kind (the message says which, and what reads it),
     *                                      or asks for a layer or an option Kiln does not have
     * @throws IllegalArgumentException     when the name ends in neither {@code .kiln} nor {@code .keras}
     */
    public static Model load(Path path) {
        return SavedModels.formatOf(path, "load", ModelFiles.MODEL_SUFFIX, KerasFiles.MODEL_SUFFIX) == KERAS
                ? UncheckedFiles.call(() -> KerasFiles.load(path)) : UncheckedFiles.call(() -> ModelFiles.load(path));
    }

    /**
     * Writes the weights alone: as safetensors for a name ending in {@code .safetensors} (float32, Keras
     * names such as {@code dense/kernel}, kernels [in×out], readable by Python's safetensors and PyTorch),
     * or as Keras' HDF5 weights file for one ending in {@code .weights.h5} (with the optimizer's
     * variables, as Keras' {@code save_weights} writes them).
     *
     * @throws IllegalArgumentException     when the name ends in neither {@code .safetensors} nor {@code .weights.h5}
     * @throws IllegalStateException        when the model was never built, so it has no weights yet
     * @throws java.io.UncheckedIOException when the file cannot be written
     */
    public synchronized void saveWeights(Path path) {
        checkOpen();
        if (SavedModels.formatOf(path, "saveWeights", ModelFiles.WEIGHTS_SUFFIX, KerasFiles.WEIGHTS_SUFFIX) == KERAS) {
            UncheckedFiles.run(() -> KerasFiles.saveWeights(this, path));
        } else {
            UncheckedFiles.run(() -> ModelFiles.saveWeights(this, path));
        }
    }

    /**
     * Replaces the weights with those of a safetensors file (from Kiln or another tool) that holds a
     * float32 tensor of the right shape for every weight, or of a Keras {@code .weights.h5} file of a
     * model with the same layers (Keras keys them by class and place: {@code dense}, {@code dense_1}, ...);
     * on any mismatch the weights stay as they were. The optimizer state is not loaded (load a whole model
     * file for that).
     *
     * @throws java.io.UncheckedIOException when the file cannot be read; its cause is a
     *                                      {@link dev.kiln.io.ModelFormatException} when the file is damaged,
     *                                      is of another kind, or does not fit this model
     * @throws IllegalArgumentException     when the name ends in neither {@code .safetensors} nor
     *                                      {@code .weights.h5}
     */
    public synchronized void loadWeights(Path path) {
        checkOpen();
        if (SavedModels.formatOf(path, "loadWeights", ModelFiles.WEIGHTS_SUFFIX, KerasFiles.WEIGHTS_SUFFIX) == KERAS) {
            UncheckedFiles.run(() -> KerasFiles.loadWeights(this, path));
        } else {
            UncheckedFiles.run(() -> ModelFiles.loadWeights(this, path));
        }
    }

    /** {@link #save(Path)} with the path as a string: {@code model.save("fashion.kiln")}. */
    public void save(String path) {
        save(SavedModels.path(path, "save"));
    }

    /** {@link #load(Path)} with the path as a string: {@code Model.load("fashion.kiln")}. */
    public static Model load(String path) {
        return load(SavedModels.path(path, "load"));
    }

    /** {@link #saveWeights(Path)} with the path as a string. */
    public void saveWeights(String path) {
        saveWeights(SavedModels.path(path, "saveWeights"));
    }

    /** {@link #loadWeights(Path)} with the path as a string. */
    public void loadWeights(String path) {
        loadWeights(SavedModels.path(path, "loadWeights"));
    }

    /** The model's seed: epoch k's shuffle is a function of it and k alone, and files keep it. */
    long seed() {
        return seed;
    }

    /** Puts back a saved model's seed, and with it the shuffles of the epochs still to come. */
    void restoreSeed(long saved) {
        seed = saved;
    }

    /** Builds the model for rows of {@code width} features if it is not built yet. */
    void buildFor(int width) {
        checkInputWidth(width, "the input");
        ensureBuilt(width);
    }

    // ---- description ----------------------------------------------------------------------------

    /** Prints the Keras-style summary table to standard output. */
    public void summary() {
        summary(System.out);
    }

    public synchronized void summary(PrintStream out) {
        checkOpen();
        out.print(ModelSummary.render(this));
    }

    /**
     * The model's layers, as Keras' {@code model.layers}: without the Input, each with its name, weights
     * and trainable flag.
     *
     * <pre>{@code
     * for (ModelLayer layer : model.layers()) {
     *     System.out.println(layer.name() + " " + layer.weights() + " trainable=" + layer.isTrainable());
     * }
     * }</pre>
     */
    public List<ModelLayer> layers() {
        checkOpen();
        return layerHandles;
    }

    /**
     * The layer named {@code name} (Keras' {@code model.get_layer(name)}).
     *
     * @throws IllegalArgumentException when no layer has that name; the message lists the names
     */
    public ModelLayer getLayer(String name) {
        checkOpen();
        for (ModelLayer layer : layerHandles) {
            if (layer.name().equals(name)) {
                return layer;
            }
        }
        throw new IllegalArgumentException("no layer is named '" + name + "'; the model's layers are "
                + layerHandles.stream().map(ModelLayer::name).toList());
    }

    /**
     * The layer at {@code index} of {@link #layers()} (Keras' {@code model.get_layer(index=...)}; the Input
     * is not counted).
     *
     * @throws IllegalArgumentException when there is no such layer
     */
    public ModelLayer getLayer(int index) {
        checkOpen();
        if (index < 0 || index >= layerHandles.size()) {
            throw new IllegalArgumentException("layer index " + index + " is out of range: the model has "
                    + layerHandles.size() + " layers (the Input not counted), indices 0 to " + (layerHandles.size() - 1));
        }
        return layerHandles.get(index);
    }

    /** The layer specifications, the Input first when there is one; what files and summaries are made of. */
    List<Layer> layerSpecs() {
        return layers;
    }

    /** The names of {@link #layerSpecs()}, in that order. */
    List<String> layerNames() {
        return layerNames;
    }

    /** The name of the layer at each place of {@link #topology()}: a shared layer's name at each of its places. */
    List<String> placeNames() {
        return placeNames;
    }

    /** Which of {@link #layerSpecs()} is at place {@code place} of {@link #topology()}. */
    int layerAt(int place) {
        return layerAt[place];
    }

    /** Which layer reads which; for the summary and for saving. */
    LayerGraph topology() {
        return topology;
    }

    /** The connections a saved config keeps: null for a Sequential, whose layers form a chain. */
    ModelConfig.Connections connections() {
        if (topology.isChain()) {
            return null;
        }
        List<Integer> places = new ArrayList<>();
        for (int l : layerAt) {
            places.add(l);
        }
        return new ModelConfig.Connections(topology.reads(), topology.inputs(), places, topology.outputs());
    }

    /** What a saved config keeps of how each output is compiled: null for a model with one output. */
    ModelConfig.PerOutput perOutputConfig() {
        if (scoring == null) {
            return null;
        }
        List<Double> weights = new ArrayList<>();
        for (float w : scoring.weights()) {
            weights.add(Double.parseDouble(Float.toString(w))); // 0.7, as given, rather than 0.699999988
        }
        return new ModelConfig.PerOutput(scoring.losses(), weights, scoring.metrics());
    }

    /** The layers' keys in Keras' {@code .weights.h5}: by class and place, whatever their names. */
    List<String> weightKeys() {
        return weightKeys;
    }

    /**
     * The optimizer as compiled, with the learning rate it uses now (Keras' {@code model.optimizer}): after
     * {@link #setLearningRate}, a {@code LearningRateScheduler} or {@code ReduceLROnPlateau} changed it,
     * {@code optimizer().learningRate()} says the new rate. (With a schedule, its rate at step 0.)
     */
    public synchronized Optimizer optimizer() {
        checkOpen();
        if (optimizer.schedule() != null) {
            return optimizer;
        }
        double now = learningRate();
        return (float) now == (float) optimizer.learningRate() ? optimizer : optimizer.withLearningRate(now);
    }

    /** The optimizer exactly as it was passed to compile; for files, which keep the rate in use apart. */
    Optimizer compiledOptimizer() {
        return optimizer;
    }

    /** The loss; for a model with several outputs, the first output's ({@link #outputLosses} has them all). */
    public Loss loss() {
        checkOpen();
        return loss;
    }

    /** The metrics; for a model with several outputs, every output's, in output order. */
    public List<Metric> metrics() {
        checkOpen();
        return metrics;
    }

    /**
     * The loss of each output in the order of the outputs (one for a model with one output), as
     * {@link OutputLosses} or a single loss compiled them.
     */
    public synchronized List<Loss> outputLosses() {
        checkOpen();
        return scoring == null ? List.of(loss) : scoring.losses();
    }

    /** The names of the model's outputs (their layers' names), in the order targets and predictions come. */
    public List<String> outputNames() {
        checkOpen();
        return topology.outputs().stream().map(placeNames::get).toList();
    }

    /** The input width, or 0 while the model is not built. */
    public synchronized int inputWidth() {
        checkOpen();
        return inputWidth;
    }

    /** Optimizer steps taken so far (Keras' optimizer.iterations); 0 before the model is built. */
    public synchronized long iterations() {
        checkOpen();
        return graph == null ? 0 : graph.iterations();
    }

    // ---- learning rate and stopping (what callbacks reach for) ---------------------------------

    /**
     * The learning rate the next training step uses (Keras' {@code model.optimizer.learning_rate}): with
     * a schedule, the schedule's value at {@link #iterations()}.
     */
    public synchronized double learningRate() {
        checkOpen();
        if (optimizer.schedule() != null) {
            return optimizer.schedule().at(iterations());
        }
        if (graph != null) {
            return graph.learningRate();
        }
        return Double.isNaN(pendingLearningRate) ? optimizer.learningRate() : pendingLearningRate;
    }

    /**
     * Sets the learning rate from the next training step on (Keras'
     * {@code model.optimizer.learning_rate = lr}); it stays until set again, across {@code fit} calls.
     *
     * @throws IllegalStateException when the optimizer follows a learning-rate schedule, as Keras refuses too
     */
    public synchronized void setLearningRate(double learningRate) {
        checkOpen();
        if (optimizer.schedule() != null) {
            throw new IllegalStateException("the optimizer was created with a learning-rate schedule ("
                    + optimizer.schedule() + "), so its learning rate cannot be set; create the optimizer with a"
                    + " number as its learning rate to change it during training");
        }
        Optimizer.checkedRate("learning rate", learningRate);
        if (graph != null) {
            graph.setLearningRate((float) learningRate);
        } else {
            pendingLearningRate = learningRate;
        }
    }

    /**
     * Asks {@code fit} to stop after the current batch (Keras' {@code model.stop_training = True}); the
     * epoch still validates and its callbacks run. Each {@code fit} starts with the request cleared.
     */
    public void stopTraining() {
        checkOpen(); // not synchronized: another thread must be able to stop a running fit
        stopTraining = true;
    }

    public boolean isStopTrainingRequested() {
        checkOpen();
        return stopTraining;
    }

    void clearStopTraining() {
        stopTraining = false;
    }

    public synchronized boolean isBuilt() {
        checkOpen();
        return graph != null;
    }

    /** The engine graph as it runs after fusion, one node per line; for the curious and for tests. */
    public synchronized String compiledPlan() {
        checkOpen();
        if (graph == null) {
            return "(not built)";
        }
        StringBuilder sb = new StringBuilder();
        for (Node n : graph.nodes()) {
            sb.append(n).append('\n');
        }
        sb.append("loss: ").append(loss).append(graph.lossFused() ? " (fused with the output activation)" : "");
        return sb.toString();
    }

    /**
     * Frees the weights; afterwards every call but {@code close} and {@link #isClosed} throws
     * {@link IllegalStateException}. Called from another thread during a fit, it waits for the fit to
     * end; called from one of the fit's own callbacks, it is refused (use {@link #stopTraining()}).
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            checkNotInsideFit("close");
            closed = true;
            if (graph != null) {
                graph.close();
            }
        }
    }

    // ---- building -------------------------------------------------------------------------------

    private void ensureBuilt(int width) {
        if (graph == null) {
            checkOutputFitsLoss(width);
            build(width);
        }
    }

    /** Refuses x whose number of inputs or row widths the model cannot take. */
    private void checkInputs(Inputs x, String what) {
        int expected = topology.isChain() ? 1 : topology.inputs().size();
        if (x.inputCount() != expected) {
            throw new IllegalArgumentException(expected == 1
                    ? what + " is a List of " + x.inputCount() + " arrays but the model has one input: pass one float[][]"
                            + " or Tensor"
                    : "the model has " + expected + " inputs but " + what + (x.inputCount() == 1 ? " is one array"
                            : " holds " + x.inputCount()) + ": pass a List of " + expected + " arrays, one per Input in"
                            + " the order the model lists its inputs");
        }
        if (topology.isChain()) {
            checkInputWidth(x.width(), what);
            return;
        }
        for (int i = 0; i < expected; i++) {
            InputLayer in = (InputLayer) layers.get(topology.inputs().get(i));
            if (x.width(i) != in.width()) {
                throw new IllegalArgumentException(what + " input " + i + " rows have " + x.width(i) + " values but the"
                        + " model's input " + i + " ('" + layerNames.get(topology.inputs().get(i)) + "') takes "
                        + in.width() + " (shape " + in.exampleShape() + ")");
            }
        }
    }

    /** Refuses a dataset's rows of {@code width} values: one array per row, for a model with one input. */
    private void checkDatasetWidth(int width, String what) {
        int inputs = topology.isChain() ? 1 : topology.inputs().size();
        if (inputs > 1) {
            throw new IllegalArgumentException("the model has " + inputs + " inputs but " + what + " gives one array"
                    + " per row: pass a List of " + inputs + " arrays to fit, evaluate or predict (a Dataset of"
                    + " several inputs is not supported yet)");
        }
        requireOneOutput("a Dataset (" + what + ")");
        checkInputWidth(width, what);
    }

    private void checkInputWidth(int width, String what) {
        if (inputWidth != 0 && width != inputWidth) {
            throw new IllegalArgumentException(what + " rows have " + width + " features but the model expects "
                    + inputWidth);
        }
    }

    int outputWidthFor(int width) {
        return ExampleShapes.of(topology, placeNames, width).output().size();
    }

    /** The example shapes through the built model; for its summary. */
    synchronized ExampleShapes exampleShapes() {
        if (graph == null) {
            throw new IllegalStateException("the model is not built yet");
        }
        return ExampleShapes.of(topology, placeNames, inputWidth);
    }

    private void checkOutputFitsLoss(int width) {
        checkOutputsFitLosses(width, scoring, loss);
    }

    private void checkOutputsFitLosses(int width, OutputScoring outputs, Loss oneLoss) {
        if (outputs == null) {
            LossOutputCheck.check(topology.outputPath(), oneLoss, outputWidthFor(width));
            return;
        }
        int[] widths = outputWidthsFor(width);
        for (int k = 0; k < widths.length; k++) {
            LossOutputCheck.check(topology.outputPath(k), outputs.losses().get(k), widths[k]);
        }
    }

    /** The width of each output for rows of {@code width}, in the order of the outputs. */
    private int[] outputWidthsFor(int width) {
        ExampleShapes shapes = ExampleShapes.of(topology, placeNames, width);
        return topology.outputs().stream().mapToInt(place -> shapes.output(place).size()).toArray();
    }

    private void build(int width) {
        boolean[] flags = trainable.clone();
        graph = compileGraph(width, optimizer, loss, metrics, scoring, flags, pendingLearningRate);
        compiledTrainable = flags;
        inputWidth = width;
    }

    /**
     * The layers lowered and compiled for rows of {@code width} with these settings, each weight at its
     * initial value; layers whose {@code trainable} flag is false get weights the optimizer never updates.
     */
    private CompiledGraph compileGraph(int width, Optimizer optimizer, Loss loss, List<Metric> metrics,
            OutputScoring outputScoring, boolean[] trainable, double learningRate) {
        ExampleShapes shapes = ExampleShapes.of(topology, placeNames, width);
        ModelSizeCheck.check(topology.layers(), shapes);
        GraphLowering lowering = topology.isChain() ? new GraphLowering(shapes.input(0), Kiln.newRandom())
                : new GraphLowering(Kiln.newRandom());
        Node[] outputs = new Node[layerAt.length];
        for (int i = 0; i < layerAt.length; i++) {
            int[] reads = topology.reads().get(i);
            if (reads.length == 0) { // a functional model's Input
                outputs[i] = lowering.input(placeNames.get(i), shapes.output(i));
                continue;
            }
            List<Node> from = new ArrayList<>();
            for (int r : reads) {
                from.add(r == LayerGraph.MODEL_DATA ? lowering.graph().input() : outputs[r]);
            }
            outputs[i] = lowering.lower(topology.layers().get(i), placeNames.get(i), trainable[layerAt[i]],
                    shapes.inputs().get(i), from);
        }
        CompiledGraph compiled;
        if (outputScoring == null) {
            compiled = Compiler.compile(lowering.graph(), loss.function(),
                    reductions(metrics, loss, shapes.output().size()), optimizer.rule(), KernelPool.global());
        } else {
            List<OutputLoss> perOutput = new ArrayList<>();
            for (int k = 0; k < outputScoring.count(); k++) {
                int place = topology.outputs().get(k);
                lowering.graph().markOutput(outputs[place]);
                Loss l = outputScoring.losses().get(k);
                perOutput.add(new OutputLoss(l.function(), outputScoring.weights()[k],
                        reductions(outputScoring.metrics().get(k), l, shapes.output(place).size())));
            }
            compiled = Compiler.compile(lowering.graph(), perOutput, optimizer.rule(), KernelPool.global(), true);
        }
        try {
            List<Parameter> parameters = compiled.parameters();
            for (int i = 0; i < parameters.size(); i++) {
                compiled.writeParameter(i, lowering.initialValue(parameters.get(i)));
            }
            compiled.seedDropout(Kiln.nextSeed());
            compiled.setGradientClip(optimizer.clipping().engineForm());
            if (!Double.isNaN(learningRate)) {
                compiled.setLearningRate((float) learningRate);
            }
        } catch (RuntimeException e) {
            compiled.close(); // nothing refers to it yet: free its memory rather than leak it
            throw e;
        }
        return compiled;
    }

    /** Refuses {@code what} on a model with several outputs, which supports arrays (fit, evaluate, predictOutputs). */
    private void requireOneOutput(String what) {
        if (scoring != null) {
            throw new IllegalArgumentException(what + " is not supported for a model with several outputs "
                    + scoring.names() + " yet; use fit and evaluate with arrays (a List of targets, one per output)"
                    + " and predictOutputs");
        }
    }

    /** y checked against the loss and width of each output for rows of {@code width}. */
    private Targets targets(Object y, int width, String what) {
        return scoring == null ? Targets.of(y, loss, outputWidthFor(width), what)
                : Targets.ofOutputs(y, scoring, outputWidthsFor(width), what);
    }

    List<MetricReduction> reductions(int outputWidth) {
        return reductions(metrics, loss, outputWidth);
    }

    /** Sums the loss and metrics of the batches of one pass, per output for a model with several. */
    BatchTotals newTotals() {
        if (scoring == null) {
            return new BatchTotals(metrics, reductions(metrics, loss, graph.outputWidth()));
        }
        List<Metric> all = new ArrayList<>();
        List<MetricReduction> reductions = new ArrayList<>();
        for (int k = 0; k < scoring.count(); k++) {
            all.addAll(scoring.metrics().get(k));
            reductions.addAll(reductions(scoring.metrics().get(k), scoring.losses().get(k), graph.outputWidth(k)));
        }
        int[] metricOutput = new int[all.size()];
        int i = 0;
        for (int k = 0; k < scoring.count(); k++) {
            for (int m = 0; m < scoring.metrics().get(k).size(); m++) {
                metricOutput[i++] = k;
            }
        }
        return new BatchTotals(all, reductions, metricOutput, scoring.names());
    }

    private static List<MetricReduction> reductions(List<Metric> metrics, Loss loss, int outputWidth) {
        List<MetricReduction> out = new ArrayList<>();
        for (Metric m : metrics) {
            out.add(m.reductionFor(outputWidth, loss));
        }
        return out;
    }

    /** The compiled graph, or null while the model is not built; for saving and for tests that inspect it. */
    synchronized CompiledGraph compiledGraph() {
        return graph;
    }

    /** True once {@link #close()} has run; the only call besides close that a closed model answers. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * The layers' keys in Keras' {@code .weights.h5} (dense, dense_1, ..., by class and place among all the
     * layers), which are also the names Keras gives layers nobody named in a fresh session.
     */
    static List<String> automaticNames(List<Layer> layers) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Layer l : layers) {
            int k = seen.merge(l.baseName(), 1, Integer::sum) - 1;
            names.add(k == 0 ? l.baseName() : l.baseName() + "_" + k);
        }
        return names;
    }

    /**
     * The layers' names: a named layer's own, and for the others Keras' automatic names counted among the
     * unnamed layers alone (Keras' counter skips layers given a name). Two layers of one name are refused,
     * as in Keras, since the model finds layers and names weights by them.
     */
    static List<String> names(List<Layer> layers) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> names = new ArrayList<>();
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String name;
            if (l instanceof NamedLayer named) {
                name = named.name();
            } else {
                int k = seen.merge(l.baseName(), 1, Integer::sum) - 1;
                name = k == 0 ? l.baseName() : l.baseName() + "_" + k;
            }
            Integer before = position.putIfAbsent(name, i);
            if (before != null) {
                throw new IllegalArgumentException("layers " + before + " and " + i + " are both named '" + name
                        + "': a model's layers need unique names (getLayer and the weights' names use them); name one"
                        + " of them otherwise with .named(\"...\")");
            }
            names.add(name);
        }
        return names;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this model is closed; its weights were freed by close()");
        }
    }
}
