package dev.kiln.spark;

import dev.kiln.History;
import dev.kiln.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@code Transformer} (a {@code Model}, usable in a {@code Pipeline}) that scores a DataFrame
 * with a Kiln model: it adds a probability vector column and a predicted-class column. The model file is
 * broadcast, so each executor receives it once, loads it once per JVM ({@link ExecutorModels}) and predicts
 * each partition in batches on off-heap buffers. {@link KilnEstimator} makes one by training; saving and
 * loading follow Spark ML ({@code write().save(path)}, {@code KilnTransformer.load(path)}).
 *
 * <pre>{@code
 * KilnTransformer scorer = KilnTransformer.fromFile(Path.of("fashion.kiln")).setFeaturesCol("pixels");
 * Dataset<Row> scored = scorer.transform(images);   // + probability (vector), prediction (double)
 * scorer.write().overwrite().save("hdfs:///models/fashion-scorer");
 * }</pre>
 */
public final class KilnTransformer extends org.apache.spark.ml.Model<KilnTransformer> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final ModelBytes model;
    private final int inputWidth;
    private final Param<String> featuresCol;
    private final Param<String> probabilityCol;
    private final Param<String> predictionCol;
    private final IntParam batchSize;
    /** What training recorded, when an estimator made this transformer; not saved. */
    private transient History history;
    private transient Broadcast<ModelBytes> shipped;

    KilnTransformer(String uid, ModelBytes model) {
        this(uid, model, inputWidth(model));
    }

    private KilnTransformer(String uid, ModelBytes model, int inputWidth) {
        this.uid = uid;
        this.model = model;
        this.inputWidth = inputWidth;
        featuresCol = new Param<>(this, "featuresCol", "the column of feature rows: vector, array<float> or array<double>");
        probabilityCol = new Param<>(this, "probabilityCol", "the output column of the model's output vectors");
        predictionCol = new Param<>(this, "predictionCol", "the output column of predicted classes (arg-max)");
        batchSize = new IntParam(this, "batchSize", "rows per predict call on an executor (results do not depend on it)");
        setDefault(featuresCol, "features");
        setDefault(probabilityCol, "probability");
        setDefault(predictionCol, "prediction");
        setDefault(batchSize, 1024);
    }

    private static int inputWidth(ModelBytes model) {
        int width;
        try (Model m = model.load()) {
            width = m.inputWidth();
        }
        if (width == 0) {
            throw new IllegalArgumentException("the Kiln model " + model.name() + " is not built: give its first layer"
                    + " an Input(width) so that scoring knows the row width");
        }
        return width;
    }

    /** A transformer scoring with (a copy of) {@code model}, which must be built (start it with an Input layer). */
    public static KilnTransformer fromModel(Model model) {
        return new KilnTransformer(Identifiable$.MODULE$.randomUID("kiln"), ModelBytes.of(model, "model.kiln"));
    }

    /** A transformer scoring with the Kiln model file {@code file} ({@code .kiln}), read and checked here. */
    public static KilnTransformer fromFile(Path file) throws IOException {
        return new KilnTransformer(Identifiable$.MODULE$.randomUID("kiln"), ModelBytes.read(file));
    }

    // ---- params ---------------------------------------------------------------------------------

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public KilnTransformer setFeaturesCol(String name) {
        set(featuresCol, Names.column(name, "featuresCol"));
        return this;
    }

    public KilnTransformer setProbabilityCol(String name) {
        set(probabilityCol, Names.column(name, "probabilityCol"));
        return this;
    }

    public KilnTransformer setPredictionCol(String name) {
        set(predictionCol, Names.column(name, "predictionCol"));
        return this;
    }

    public KilnTransformer setBatchSize(int rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("batchSize must be a positive number of rows, got " + rows);
        }
        set(batchSize, rows);
        return this;
    }

    public String getFeaturesCol() {
        return getOrDefault(featuresCol);
    }

    public String getProbabilityCol() {
        return getOrDefault(probabilityCol);
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    // ---- the model --------------------------------------------------------------------------------

    /** A new Kiln model with this transformer's weights (and optimizer state); the caller closes it. */
    public Model kilnModel() {
        return model.load();
    }

    /** The History of the training that made this transformer, or null when it was loaded or built from a model. */
    public History history() {
        return history;
    }

    void setHistory(History history) {
        this.history = history;
    }

    ModelBytes modelBytes() {
        return model;
    }

    // ---- Transformer ------------------------------------------------------------------------------

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumn.check(schema, getFeaturesCol());
        StructField probability = FeatureColumn.newField(schema, getProbabilityCol(), SQLDataTypes.VectorType());
        StructField prediction = FeatureColumn.newField(schema, getPredictionCol(), DataTypes.DoubleType);
        if (getProbabilityCol().equals(getPredictionCol())) {
            throw new IllegalArgumentException("probabilityCol and predictionCol are both '" + getPredictionCol() + "'");
        }
        StructField[] fields = Arrays.copyOf(schema.fields(), schema.fields().length + 2);
        fields[fields.length - 2] = probability;
        fields[fields.length - 1] = prediction;
        return new StructType(fields);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        FeatureColumn features = FeatureColumn.of(dataset.schema(), getFeaturesCol(), inputWidth);
        JavaRDD<Row> scored = dataset.toDF().javaRDD()
                .mapPartitions(new ScorePartition(broadcast(spark), features, getBatchSize()));
        return spark.createDataFrame(scored, out);
    }

    /** One broadcast per transformer and SparkContext: executors fetch the model once, however many transforms. */
    private synchronized Broadcast<ModelBytes> broadcast(SparkSession spark) {
        if (shipped == null || spark.sparkContext().isStopped() || !shipped.isValid()) {
            shipped = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
        }
        return shipped;
    }

    @Override
    public KilnTransformer copy(ParamMap extra) {
        KilnTransformer copy = new KilnTransformer(uid, model, inputWidth);
        copy.history = history;
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- MLWritable / MLReadable ------------------------------------------------------------------

    @Override
    public MLWriter write() {
        return new KilnTransformerWriter(this);
    }

    /** Spark ML's reader, as {@code PipelineModel.load} finds it by reflection. */
    public static MLReader<KilnTransformer> read() {
        return new KilnTransformerReader();
    }

    /** Loads a transformer saved with {@code write().save(path)}. */
    public static KilnTransformer load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return "KilnTransformer(" + uid + ", " + model.name() + ", input width " + inputWidth + ")";
    }
}
