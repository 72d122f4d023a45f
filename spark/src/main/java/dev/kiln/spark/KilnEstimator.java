package dev.kiln.spark;

import dev.kiln.Model;
import dev.kiln.callbacks.Callback;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@code Estimator} that trains a compiled Kiln model on a DataFrame, data-parallel: every
 * partition trains a replica of the model on its own rows for {@code stepsPerRound} steps, then the
 * replicas' weights and optimizer slots are averaged (weighted by the rows each trained on, added in
 * partition order so that a seeded run repeats bit for bit), and the average is broadcast as the start of
 * the next round. {@code fit} returns a
 * {@link KilnTransformer} holding the trained model, with the run's {@link KilnTransformer#history()}.
 *
 * <p>Keras' fit options carry over: epochs, batch size, shuffling every epoch (each partition's rows in
 * the order {@code Model.fit} would shuffle them, from the model's seed), validation data (a DataFrame,
 * collected to the driver and evaluated there after each epoch), the callbacks that make sense on the
 * driver (History, EarlyStopping, ModelCheckpoint, CSVLogger, ReduceLROnPlateau, LearningRateScheduler;
 * they see a driver model that holds the averaged weights) and the progress line, one "batch" per round.
 * With one partition and {@code stepsPerRound(1)} the result is {@code Model.fit}'s, bit for bit.
 *
 * <pre>{@code
 * Kiln.setSeed(42);
 * Model model = Sequential.of(Input(784), Dense(128, "relu"), Dense(10, "softmax"))
 *         .compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * KilnTransformer trained = new KilnEstimator(model)
 *         .setFeaturesCol("pixels").setLabelCol("label")
 *         .setEpochs(5).setBatchSize(128).setStepsPerRound(20)
 *         .setValidationData(test).setCallbacks(List.of(new EarlyStopping().patience(2)))
 *         .fit(train);
 * Dataset<Row> scored = trained.transform(test);
 * }</pre>
 *
 * <p>The given model is copied when the estimator is made and is not changed by {@code fit}.
 */
public final class KilnEstimator extends Estimator<KilnTransformer> {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final ModelBytes model;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> probabilityCol;
    private final Param<String> predictionCol;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final IntParam stepsPerRound;
    private final BooleanParam shuffle;
    private final IntParam verbose;
    private transient List<Callback> callbacks = List.of();
    private transient Dataset<?> validationData;
    private RoundHook hook;

    /** An estimator training (a copy of) {@code model}, which must be compiled and built (start it with Input). */
    public KilnEstimator(Model model) {
        this(Identifiable$.MODULE$.randomUID("kilnEstimator"), built(model));
    }

    private KilnEstimator(String uid, ModelBytes model) {
        this.uid = uid;
        this.model = model;
        featuresCol = new Param<>(this, "featuresCol", "the column of feature rows: vector, array<float> or array<double>");
        labelCol = new Param<>(this, "labelCol", "the numeric label column: class numbers for sparse categorical losses");
        probabilityCol = new Param<>(this, "probabilityCol", "the trained transformer's output column of model outputs");
        predictionCol = new Param<>(this, "predictionCol", "the trained transformer's output column of predicted classes");
        // Validators, so that a ParamMap (fit(data, params), a CrossValidator's grid) is checked as the setters are.
        epochs = new IntParam(this, "epochs", "passes over the training rows", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "rows per gradient step on each replica", ParamValidators.gtEq(1));
        stepsPerRound = new IntParam(this, "stepsPerRound", "steps each replica takes between two averagings",
                ParamValidators.gtEq(1));
        shuffle = new BooleanParam(this, "shuffle", "reshuffle each partition's rows every epoch, from the model's seed");
        verbose = new IntParam(this, "verbose", "0 silent, 1 progress bar or line, 2 one line per epoch",
                ParamValidators.inRange(0, 2));
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(probabilityCol, "probability");
        setDefault(predictionCol, "prediction");
        setDefault(epochs, 1);
        setDefault(batchSize, 32);
        setDefault(stepsPerRound, 10);
        setDefault(shuffle, true);
        setDefault(verbose, 1);
    }

    private static ModelBytes built(Model model) {
        if (model == null) {
            throw new IllegalArgumentException("KilnEstimator needs a compiled Kiln model, got null");
        }
        if (!model.isBuilt()) {
            throw new IllegalArgumentException("the Kiln model is not built: give its first layer an Input(width), so"
                    + " that every replica is built the same way");
        }
        return ModelBytes.of(model, "model.kiln");
    }

    // ---- params -----------------------------------------------------------------------------------

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public IntParam epochs() {
        return epochs;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam stepsPerRound() {
        return stepsPerRound;
    }

    public BooleanParam shuffle() {
        return shuffle;
    }

    public IntParam verbose() {
        return verbose;
    }

    public KilnEstimator setFeaturesCol(String name) {
        set(featuresCol, Names.column(name, "featuresCol"));
        return this;
    }

    public KilnEstimator setLabelCol(String name) {
        set(labelCol, Names.column(name, "labelCol"));
        return this;
    }

    public KilnEstimator setProbabilityCol(String name) {
        set(probabilityCol, Names.column(name, "probabilityCol"));
        return this;
    }

    public KilnEstimator setPredictionCol(String name) {
        set(predictionCol, Names.column(name, "predictionCol"));
        return this;
    }

    /** Passes over the training rows (default 1). */
    public KilnEstimator setEpochs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + n);
        }
        set(epochs, n);
        return this;
    }

    /** Rows per gradient step on each replica (default 32, Keras' default). */
    public KilnEstimator setBatchSize(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("batchSize must be a positive number of rows, got " + rows);
        }
        set(batchSize, rows);
        return this;
    }

    /**
     * Steps each replica takes between two averagings (default 10). 1 averages after every step (plain
     * synchronous data parallelism, the most communication); larger periods exchange less and drift more;
     * docs/spark.md gives the trade-off.
     */
    public KilnEstimator setStepsPerRound(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("stepsPerRound must be >= 1, got " + steps);
        }
        set(stepsPerRound, steps);
        return this;
    }

    /** Reshuffle each partition's rows every epoch (default true), in the model's seeded order. */
    public KilnEstimator setShuffle(boolean on) {
        set(shuffle, on);
        return this;
    }

    public KilnEstimator setVerbose(int level) {
        if (level < 0 || level > 2) {
            throw new IllegalArgumentException("verbose must be 0 (silent), 1 or 2, got " + level);
        }
        set(verbose, level);
        return this;
    }

    /** Callbacks run on the driver after each round and epoch, in Model.fit's order. */
    public KilnEstimator setCallbacks(List<Callback> callbacks) {
        if (callbacks == null || callbacks.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("callbacks must be a list without nulls, got " + callbacks);
        }
        this.callbacks = List.copyOf(callbacks);
        return this;
    }

    /**
     * Rows (same columns as the training DataFrame) to evaluate after each epoch, giving {@code val_loss} and
     * {@code val_<metric>}; they are collected to the driver, so keep them to what fits there. Null: none.
     */
    public KilnEstimator setValidationData(Dataset<?> rows) {
        this.validationData = rows;
        return this;
    }

    /** For the fault tests: called at the start of every replica task. */
    KilnEstimator setRoundHook(RoundHook hook) {
        this.hook = hook;
        return this;
    }

    public int getEpochs() {
        return (Integer) getOrDefault(epochs);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public int getStepsPerRound() {
        return (Integer) getOrDefault(stepsPerRound);
    }

    public boolean getShuffle() {
        return (Boolean) getOrDefault(shuffle);
    }

    public int getVerbose() {
        return (Integer) getOrDefault(verbose);
    }

    public String getFeaturesCol() {
        return getOrDefault(featuresCol);
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    List<Callback> callbacks() {
        return callbacks;
    }

    Dataset<?> validationData() {
        return validationData;
    }

    RoundHook hook() {
        return hook;
    }

    ModelBytes modelBytes() {
        return model;
    }

    // ---- Estimator --------------------------------------------------------------------------------

    @Override
    public KilnTransformer fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        KilnTransformer trained = new DataParallelFit(this).run(dataset);
        trained.setFeaturesCol(getFeaturesCol()).setProbabilityCol(getOrDefault(probabilityCol))
                .setPredictionCol(getOrDefault(predictionCol));
        return trained.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumn.check(schema, getFeaturesCol());
        String label = getLabelCol();
        if (!List.of(schema.fieldNames()).contains(label)) {
            throw new IllegalArgumentException("the DataFrame has no label column '" + label + "'; its columns are "
                    + List.of(schema.fieldNames()));
        }
        if (!(schema.apply(label).dataType() instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + label + "' is "
                    + schema.apply(label).dataType().simpleString() + "; Kiln trains on a numeric label column");
        }
        return schema;
    }

    @Override
    public KilnEstimator copy(ParamMap extra) {
        KilnEstimator copy = new KilnEstimator(uid, model);
        copy.callbacks = callbacks;
        copy.validationData = validationData;
        copy.hook = hook;
        return copyValues(copy, extra);
    }

    @Override
    public String uid() {
        return uid;
    }
}
