// What this teaches: a model trained in Python Keras, served and trained on in Java. fashion_mlp.keras was
// written by Keras 3 (tools/keras-fixtures/train_fashion_mlp.py: Dense(64, relu), Dense(10, softmax), adam,
// 2 epochs on Fashion-MNIST). Kiln opens the file as it is, scores the test images as Keras scored them,
// trains on from Keras' own optimizer state, and writes a .keras file that keras.models.load_model opens:
//
//   model = keras.models.load_model("fashion_mlp_kiln.keras")   # in Python, after this example ran
//
// Run it:  ./kiln demo --model keras            (--epochs N: how many epochs Kiln trains on; default 1)
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.Datasets;
import dev.kiln.History;
import dev.kiln.Model;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Loads a Keras-trained Fashion-MNIST model, checks it scores as in Keras, trains on and saves it for Keras. */
public final class KerasModelExample {
    /** Where the model Kiln trained on is written, for Python to open. */
    static final String SAVED = "fashion_mlp_kiln.keras";

    private KerasModelExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(1, 128, Path.of(SAVED)).testScores());
    }

    static ExampleResult run(int epochCount, int batch, Path saveTo) {
        Datasets.Split data = Datasets.fashionMnist();
        JsonNode keras = kerasResults();
        Path file = bundledModel();
        try (Model model = Model.load(file)) {
            model.summary();
            Map<String, Double> before = model.evaluate(data.xTest(), data.yTest());
            System.out.printf("Keras %s scored this model at test accuracy %.4f, loss %.4f; Kiln scores it at %.4f,"
                    + " %.4f%n", keras.get("keras_version").asText(), keras.get("test_accuracy").asDouble(),
                    keras.get("test_loss").asDouble(), before.get("accuracy"), before.get("loss"));
            float[] first = model.predict(new float[][] {data.xTest()[0]})[0];
            double largest = 0;
            for (int k = 0; k < first.length; k++) {
                largest = Math.max(largest, Math.abs(first[k] - keras.get("first_predictions").get(k).asDouble()));
            }
            System.out.printf("test image 0: Kiln's softmax differs from Keras' by at most %.2g%n", largest);
            long start = System.nanoTime();
            History history = model.fit(data.xTrain(), data.yTrain(), epochs(epochCount), batchSize(batch));
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> after = model.evaluate(data.xTest(), data.yTest());
            System.out.printf("after %d more epoch(s) in Kiln (from step %d of Keras' Adam): test accuracy %.4f,"
                    + " loss %.4f%n", epochCount, model.iterations() - (long) epochCount * steps(data, batch),
                    after.get("accuracy"), after.get("loss"));
            model.save(saveTo);
            System.out.println("wrote " + saveTo.toAbsolutePath() + "; in Python: keras.models.load_model(\""
                    + saveTo.getFileName() + "\")");
            Map<String, Object> extras = new LinkedHashMap<>();
            extras.put("keras_test_accuracy", keras.get("test_accuracy").asDouble());
            extras.put("loaded_test_accuracy", before.get("accuracy"));
            extras.put("largest_prediction_difference", largest);
            return new ExampleResult(after, seconds, (long) data.yTrain().length * history.epoch().size(),
                    data.yTrain().length, history.trainingSeconds(), extras);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary copy; the system cleans its folder
            }
        }
    }

    private static long steps(Datasets.Split data, int batch) {
        return (data.yTrain().length + batch - 1) / batch;
    }

    /** The model ships inside the examples jar; a user would have it as a file, so it is copied out to one. */
    private static Path bundledModel() {
        try (InputStream in = KerasModelExample.class.getResourceAsStream("fashion_mlp.keras")) {
            if (in == null) {
                throw new IllegalStateException("fashion_mlp.keras is missing from the examples jar; rebuild it");
            }
            Path file = Files.createTempFile("fashion_mlp", ".keras");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Keras measured when it trained the model (tools/keras-fixtures/train_fashion_mlp.py). */
    private static JsonNode kerasResults() {
        try (InputStream in = KerasModelExample.class.getResourceAsStream("fashion_mlp.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
