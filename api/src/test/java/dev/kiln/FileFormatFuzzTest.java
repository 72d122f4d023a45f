package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Activation;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.LayerNormalization;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.io.KilnArchive;
import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import dev.kiln.metrics.AUC;
import dev.kiln.metrics.Precision;
import dev.kiln.metrics.SparseTopKCategoricalAccuracy;
import dev.kiln.regularizers.L2;
import dev.kiln.testing.FileFuzzer;
import dev.kiln.testing.KilnAttacks;
import dev.kiln.testing.SafeTensorsAttacks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged .kiln and .safetensors files (truncated, flipped bytes, extreme length fields, junk
 * appended; 10,000 cases each) are either accepted or refused with {@link ModelFormatException},
 * never anything else: no OutOfMemoryError, no IndexOutOfBoundsException, no hang. The config inside
 * a .kiln is fuzzed on its own too, wrapped into an otherwise valid archive, because the zip
 * checksums would otherwise catch almost every damaged config before it is parsed. Structured
 * attacks ({@link KilnAttacks}, {@link SafeTensorsAttacks}: lying sizes over real compressed data,
 * zip bombs, joined archives, extreme offsets, huge tensor counts; 10,000 cases each) must all be
 * refused with {@link ModelFormatException}.
 */
class FileFormatFuzzTest {
    private static final int CASES = 10_000;
    private static final List<Class<? extends Exception>> ALLOWED = List.of(ModelFormatException.class);
    /** Two lists of 8 names of at most 100 characters, and the words around them. */
    private static final int MAX_MESSAGE_CHARS = 2_000;

    @TempDir
    static Path dir;
    static final List<byte[]> KILN = new ArrayList<>();
    static final List<KilnArchive.Parts> PARTS = new ArrayList<>();
    static final List<byte[]> WEIGHTS = new ArrayList<>();
    static Model target;

    @BeforeAll
    static void makeValidFiles() throws IOException {
        Kiln.setSeed(11);
        float[][] x = ModelFilesTest.inputs(20, 4, 1);
        int[] y = ModelFilesTest.labels(x, 3);
        List<Model> models = List.of(
                Sequential.of(Input(4), Dense(5, "relu"), Dropout(0.5), Dense(3, "softmax"))
                        .compile("adam", "sparse_categorical_crossentropy", "accuracy"),
                Sequential.of(Dense(3, "tanh", false), Activation("relu"), Dense(3, "softmax"))
                        .compile("sgd", "sparse_categorical_crossentropy"),
                Sequential.of(Dense(2), Dense(3)).compile("rmsprop", "sparse_categorical_crossentropy"),
                // The layers, regularizers and metric objects added after the MVP, trained so that the
                // BatchNormalization moving statistics are in the file.
                Sequential.of(Input(2, 2), Flatten(), Dense(5).kernelRegularizer(new L2(0.01)).biasRegularizer("l1"),
                        BatchNormalization(), LayerNormalization(), Dense(3, "softmax"))
                        .compile("adam", "sparse_categorical_crossentropy", new Precision(0.6).classId(1),
                                new AUC(20), new SparseTopKCategoricalAccuracy(2)));
        for (int i = 0; i < models.size(); i++) {
            Model m = models.get(i);
            if (i == 3) {
                m.fit(x, y, epochs(1), batchSize(8), verbose(0));
            }
            if (i < 2) {
                m.fit(x, y, epochs(1), batchSize(8), verbose(0));
                Path w = dir.resolve("w" + i + ".safetensors");
                m.saveWeights(w);
                WEIGHTS.add(Files.readAllBytes(w));
            }
            Path f = dir.resolve("m" + i + ".kiln");
            m.save(f);
            byte[] bytes = Files.readAllBytes(f);
            KILN.add(bytes);
            PARTS.add(KilnArchive.read(new ByteArrayInputStream(bytes), bytes.length, "seed"));
            m.close();
        }
        target = Sequential.of(Input(4), Dense(5, "relu"), Dropout(0.5), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    @AfterAll
    static void closeTarget() {
        target.close();
    }

    @Test
    void kilnFiles() {
        int refused = new FileFuzzer(KILN, ALLOWED).run(".kiln", 1, CASES, FileFormatFuzzTest::load);
        assertTrue(refused > CASES / 2, "most damaged archives are refused, got " + refused);
    }

    @Test
    void kilnConfigs() {
        List<byte[]> configs = PARTS.stream().map(KilnArchive.Parts::config).toList();
        int refused = new FileFuzzer(configs, ALLOWED).run(".kiln config.json", 2, CASES, bytes -> {
            // The damaged config travels with the weights of the model it came from (matched by size).
            byte[] weights = PARTS.stream().filter(p -> p.config().length == bytes.length).findFirst()
                    .orElse(PARTS.get(bytes.length % PARTS.size())).weights();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            KilnArchive.write(out, bytes, weights);
            load(out.toByteArray());
        });
        assertTrue(refused > CASES / 2, "most damaged configs are refused, got " + refused);
    }

    /**
     * Every number of a valid config.json (units, rates, thresholds, k, step counts, shapes) replaced by
     * an extreme value: each file loads or is refused with a ModelFormatException, and none may allocate
     * from the number (an AUC asking for 2^31 thresholds, a Dense for 2^31 units).
     */
    @Test
    void kilnConfigsWithExtremeOptionValues() {
        List<byte[]> configs = PARTS.stream().map(KilnArchive.Parts::config).toList();
        String[] extremes = {"2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808",
            "4611686018427387905", "-1", "0", "1e39", "-1e39", "1e308", "4.9e-324", "1e-45", "3.4028235e38", "0.5"};
        Pattern number = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
        int refused = new FileFuzzer(configs, ALLOWED).run(".kiln config extremes", 6, CASES / 2, (original, random) -> {
            String json = new String(original, StandardCharsets.UTF_8);
            List<int[]> spans = new ArrayList<>();
            Matcher m = number.matcher(json);
            while (m.find()) {
                spans.add(new int[] {m.start(), m.end()});
            }
            StringBuilder out = new StringBuilder(json);
            for (int k = 0; k < 1 + random.nextInt(2); k++) { // right to left keeps the other spans valid
                int[] span = spans.get(spans.size() - 1 - random.nextInt(spans.size()));
                out.replace(span[0], span[1], extremes[random.nextInt(extremes.length)]);
                spans.removeIf(other -> other[0] >= span[0]);
                if (spans.isEmpty()) {
                    break;
                }
            }
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }, bytes -> {
            byte[] weights = PARTS.stream().filter(p -> sameModel(p.config(), bytes)).findFirst()
                    .orElse(PARTS.get(0)).weights();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            KilnArchive.write(out, bytes, weights);
            load(out.toByteArray());
        });
        assertTrue(refused > 0, "some extreme values are refused, got " + refused);
    }

    /** Configs of the same model differ only in numbers: compare them with the digits taken out. */
    private static boolean sameModel(byte[] a, byte[] b) {
        String digits = "[-+0-9.eE]+";
        return new String(a, StandardCharsets.UTF_8).replaceAll(digits, "#")
                .equals(new String(b, StandardCharsets.UTF_8).replaceAll(digits, "#"));
    }

    @Test
    void safetensorsFiles() {
        int refused = new FileFuzzer(WEIGHTS, ALLOWED).run(".safetensors", 3, CASES,
                bytes -> ModelFiles.loadWeights(target, SafeTensors.read(bytes, "fuzz"), "fuzz"));
        assertTrue(refused > CASES / 2, "most damaged files are refused, got " + refused);
    }

    @Test
    void kilnAttacks() {
        KilnAttacks attacks = new KilnAttacks(KILN, new SafeTensorsAttacks());
        int refused = new FileFuzzer(KILN, ALLOWED).run(".kiln attack", 4, CASES, attacks,
                bytes -> mustRefuse(() -> load(bytes)));
        System.out.println("kiln attacks made: " + attacks.counts());
        assertEquals(CASES, refused);
    }

    @Test
    void safetensorsAttacks() {
        SafeTensorsAttacks attacks = new SafeTensorsAttacks();
        int refused = new FileFuzzer(WEIGHTS, ALLOWED).run(".safetensors attack", 5, CASES, attacks,
                bytes -> mustRefuse(() -> ModelFiles.loadWeights(target, SafeTensors.read(bytes, "fuzz"), "fuzz")));
        System.out.println("safetensors attacks made: " + attacks.counts());
        assertEquals(CASES, refused);
    }

    @FunctionalInterface
    private interface Load {
        void run() throws Exception;
    }

    /**
     * Every attack must be refused, in a message short enough to read (a list of a million names is
     * not); otherwise the run fails with the case number and seed.
     */
    private static void mustRefuse(Load load) throws Exception {
        try {
            load.run();
        } catch (ModelFormatException e) {
            if (e.getMessage().length() > MAX_MESSAGE_CHARS) {
                throw new IllegalStateException("a refusal of " + e.getMessage().length() + " characters: "
                        + e.getMessage().substring(0, 200) + "...");
            }
            throw e;
        }
        throw new IllegalStateException("the attack was accepted");
    }

    private static void load(byte[] bytes) throws IOException {
        Model m = ModelFiles.load(new ByteArrayInputStream(bytes), bytes.length, "fuzz");
        m.close();
    }
}
