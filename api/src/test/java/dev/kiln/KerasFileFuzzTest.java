package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.memory.Memory;
import dev.kiln.core.memory.Tensor;
import dev.kiln.io.ModelFormatException;
import dev.kiln.layers.InputLayer;
import dev.kiln.testing.FileFuzzer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged Keras files, made from the files Keras itself wrote (the fixtures of {@link KerasFixturesTest}),
 * are either loaded or refused with a {@link ModelFormatException}; nothing else may escape (no
 * IndexOutOfBoundsException or NegativeArraySizeException from inside jhdf, no Error), no case may
 * hang, and none may allocate more than a model of the file's size needs. 11,000 cases, in four sets:
 *
 * <ul>
 *   <li>whole {@code .keras} files damaged as bytes (truncated, flipped, overwritten, junk appended):
 *       the zip reader's checks (CRCs, sizes, directory) see these;</li>
 *   <li>{@code model.weights.h5} damaged and put back into a valid archive (its CRC recomputed), so that
 *       the damage reaches the HDF5 reader: flipped and overwritten bytes, pointers redirected to other
 *       objects (cycles), small fields set to extreme values, truncation, splices, junk;</li>
 *   <li>{@code config.json} damaged and put back (stored, as Keras stores it): bytes, numbers replaced by
 *       extreme values, values replaced by other JSON values (other class names, dtypes, null, nesting);</li>
 *   <li>bare {@code .weights.h5} files damaged as above and loaded with {@code loadWeights} into the model
 *       they belong to.</li>
 * </ul>
 *
 * A case that loads is used: {@code predict} runs on the fixture's inputs (any values, finite or not).
 * Every case runs on a worker thread with a time limit, so a hang fails the run with its case number and
 * seed instead of stalling it.
 */
class KerasFileFuzzTest {
    private static final List<Class<? extends Exception>> ALLOWED = List.of(ModelFormatException.class);
    /** {@code -Dkiln.fuzz.scale=N} runs N times the cases, {@code -Dkiln.fuzz.seed=S} other ones (soak runs). */
    private static final int SCALE = Integer.getInteger("kiln.fuzz.scale", 1);
    private static final long SEED = Long.getLong("kiln.fuzz.seed", 0);
    private static final int WHOLE_FILE_CASES = 2_000 * SCALE;
    private static final int WEIGHTS_ENTRY_CASES = 3_000 * SCALE;
    private static final int CONFIG_CASES = 3_000 * SCALE;
    private static final int WEIGHTS_FILE_CASES = 3_000 * SCALE;
    /** A case that takes longer is taken for a hang (an undamaged load takes milliseconds). */
    private static final long CASE_TIMEOUT_SECONDS = 20;
    /**
     * The most heap one case may allocate: the fixtures are below 40 KB, and loading one (model, graph,
     * predict) takes a few MB; a reader that trusts a damaged size field takes far more.
     */
    private static final long MAX_CASE_ALLOCATION = 64L << 20;
    /**
     * The most native memory (models' parameters, optimizer state, workspace) one case may hold at once,
     * as sampled every millisecond: the fixtures' models take well under 1 MB.
     */
    private static final long MAX_CASE_NATIVE_BYTES = 16L << 20;

    static {
        // The JIT warm-up's model (Warmup) allocates and frees native memory on a thread of its own, which
        // the memory checks below would count against whichever case it overlaps.
        System.setProperty("kiln.warmup", "false");
    }

    static final String WEIGHTS = "model.weights.h5";
    static final String CONFIG = "config.json";

    /** A fixture: its .keras file, the archive's entries, its inputs, and its own .weights.h5 when it has one. */
    record Fixture(String name, byte[] keras, Map<String, byte[]> entries, float[][] x, byte[] weightsFile) {
    }

    @TempDir
    static Path dir;
    static final List<Fixture> FIXTURES = new ArrayList<>();
    /** The fixtures with a .weights.h5 of their own, each with the model loaded from its .keras file. */
    static final Map<Fixture, Model> TARGETS = new LinkedHashMap<>();
    static ExecutorService worker;
    static long largestAllocation;
    static long largestNative;
    /** The most native bytes live since the current case began, kept by a sampling thread. */
    static final AtomicLong NATIVE_PEAK = new AtomicLong();
    static volatile boolean sampling;

    @BeforeAll
    static void readFixtures() throws Exception {
        Path base = KerasFixturesTest.fixtures();
        JsonNode manifest = new ObjectMapper().readTree(base.resolve("manifest.json").toFile());
        for (JsonNode f : manifest.get("fixtures")) {
            String name = f.get("name").asText();
            byte[] keras = Files.readAllBytes(base.resolve(name + ".keras"));
            Path h5 = base.resolve(name + ".weights.h5");
            Fixture fixture = new Fixture(name, keras, entries(keras),
                    Tensor.fromNpy(base.resolve(name + ".x.npy")).toRows(),
                    Files.exists(h5) ? Files.readAllBytes(h5) : null);
            FIXTURES.add(fixture);
            if (fixture.weightsFile() != null) {
                TARGETS.put(fixture, Model.load(base.resolve(name + ".keras")));
            }
        }
        // Keras' functional models too: their inbound nodes, inputs and outputs are fuzzed with the rest.
        Path functional = FunctionalFilesTest.fixtures();
        for (String name : List.of("residual", "two_inputs", "siamese")) {
            byte[] keras = Files.readAllBytes(functional.resolve(name + ".keras"));
            FIXTURES.add(new Fixture(name, keras, entries(keras), null, null));
        }
        assertTrue(FIXTURES.size() >= 13 && TARGETS.size() >= 4, "the Keras fixtures are there");
        sampling = true;
        Thread sampler = new Thread(() -> {
            while (sampling) {
                NATIVE_PEAK.accumulateAndGet(Memory.liveBytes(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "keras-fuzz-native-memory");
        sampler.setDaemon(true);
        sampler.start();
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keras-fuzz-case");
            t.setDaemon(true); // a hung case must not keep the JVM alive
            return t;
        });
    }

    @AfterAll
    static void closeAll() {
        sampling = false;
        TARGETS.values().forEach(Model::close);
        if (worker != null) {
            worker.shutdownNow();
        }
        System.out.println("keras fuzz: the most one case allocated was " + largestAllocation + " bytes of heap and "
                + largestNative + " bytes of native memory at once");
    }

    // ---- the four sets ----------------------------------------------------------------------------

    @Test
    void wholeKerasFiles() {
        // The seeds are the fixtures' indexes (one byte), so that the reader knows the model's inputs.
        int refused = new FileFuzzer(indexes(FIXTURES.size()), ALLOWED).run(".keras", SEED + 101, WHOLE_FILE_CASES,
                (index, random) -> tagged(index[0], mutateBytes(FIXTURES.get(index[0]).keras(), random)),
                tagged -> guarded(true, () -> loadKeras(untag(tagged), FIXTURES.get(tagged[0]))));
        assertTrue(refused > WHOLE_FILE_CASES / 2, "most damaged archives are refused, got " + refused);
    }

    @Test
    void weightsEntriesInsideKerasFiles() {
        List<byte[]> seeds = indexes(FIXTURES.size());
        int refused = new FileFuzzer(seeds, ALLOWED).run(".keras model.weights.h5", SEED + 102, WEIGHTS_ENTRY_CASES,
                (index, random) -> {
                    Fixture f = FIXTURES.get(index[0]);
                    return tagged(index[0], withEntry(f.entries(), WEIGHTS, mutateHdf5(f.entries().get(WEIGHTS),
                            random)));
                }, tagged -> guarded(true, () -> loadKeras(untag(tagged), FIXTURES.get(tagged[0]))));
        assertTrue(refused > WEIGHTS_ENTRY_CASES / 4, "many damaged weights are refused, got " + refused);
    }

    @Test
    void configsInsideKerasFiles() {
        List<byte[]> seeds = indexes(FIXTURES.size());
        int refused = new FileFuzzer(seeds, ALLOWED).run(".keras config.json", SEED + 103, CONFIG_CASES,
                (index, random) -> {
                    Fixture f = FIXTURES.get(index[0]);
                    return tagged(index[0], withEntry(f.entries(), CONFIG, mutateJson(f.entries().get(CONFIG),
                            random)));
                }, tagged -> guarded(true, () -> loadKeras(untag(tagged), FIXTURES.get(tagged[0]))));
        assertTrue(refused > CONFIG_CASES / 2, "most damaged configs are refused, got " + refused);
    }

    @Test
    void bareWeightsFiles() {
        List<Fixture> targets = new ArrayList<>(TARGETS.keySet());
        Path file = dir.resolve("fuzz.weights.h5");
        int refused = new FileFuzzer(indexes(targets.size()), ALLOWED).run(".weights.h5", SEED + 104,
                WEIGHTS_FILE_CASES,
                (index, random) -> tagged(index[0], mutateHdf5(targets.get(index[0]).weightsFile(), random)),
                tagged -> guarded(false, () -> { // the target models stay open, with what predict keeps
                    Fixture f = targets.get(tagged[0]);
                    Model model = TARGETS.get(f);
                    Files.write(file, untag(tagged));
                    model.loadWeights(file);
                    model.predict(f.x());
                }));
        assertTrue(refused > WEIGHTS_FILE_CASES / 4, "many damaged weights files are refused, got " + refused);
    }

    // ---- running one case -------------------------------------------------------------------------

    @FunctionalInterface
    private interface Load {
        void run() throws Exception;
    }

    /**
     * Runs a case on the worker thread: its exception comes back as it was thrown (so FileFuzzer judges
     * it), an Error comes back wrapped (so FileFuzzer reports the case instead of dying on it), and a case
     * that does not end in time, allocates too much (heap on its thread, or native memory at any moment)
     * or, when {@code closesAll}, leaves native memory behind fails with what it did.
     */
    private static void guarded(boolean closesAll, Load load) throws Exception {
        long nativeBefore = Memory.liveBytes();
        NATIVE_PEAK.set(nativeBefore);
        Future<Long> result = worker.submit(() -> {
            long before = allocated();
            try {
                load.run();
            } finally {
                long used = allocated() - before;
                largestAllocation = Math.max(largestAllocation, used);
                if (used > MAX_CASE_ALLOCATION) {
                    throw new IllegalStateException("the case allocated " + used + " bytes (at most "
                            + MAX_CASE_ALLOCATION + " allowed)");
                }
            }
            return null;
        });
        try {
            try {
                result.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } finally {
                if (result.isDone()) {
                    checkNativeMemory(closesAll, nativeBefore);
                }
            }
        } catch (TimeoutException e) {
            Thread stuck = findWorker();
            IllegalStateException hang = new IllegalStateException("the case did not end in "
                    + CASE_TIMEOUT_SECONDS + " s (a hang); the worker is at:");
            if (stuck != null) {
                hang.setStackTrace(stuck.getStackTrace());
            }
            throw hang;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw new IllegalStateException("an Error escaped: " + cause, cause);
        }
    }

    /** Fails the case if it held too much native memory at once, or left some behind when it should not. */
    private static void checkNativeMemory(boolean closesAll, long before) {
        long peak = Math.max(NATIVE_PEAK.get(), Memory.liveBytes()) - before;
        largestNative = Math.max(largestNative, peak);
        if (peak > MAX_CASE_NATIVE_BYTES) {
            throw new IllegalStateException("the case held " + peak + " bytes of native memory (at most "
                    + MAX_CASE_NATIVE_BYTES + " allowed)");
        }
        // Less than before is another thread's model closing (a warm-up started by an earlier test class).
        if (closesAll && Memory.liveBytes() > before) {
            throw new IllegalStateException("the case left " + (Memory.liveBytes() - before)
                    + " bytes of native memory behind (a model not closed)");
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    private static Thread findWorker() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("keras-fuzz-case")).findFirst().orElse(null);
    }

    /**
     * Loads a .keras file from its bytes and, when it loads, predicts with it: with the fixture's rows, or
     * for a functional model with rows of zeros for each of its inputs (a damaged file may reorder them).
     */
    private static void loadKeras(byte[] bytes, Fixture fixture) throws IOException {
        try (Model model = KerasFiles.load(new ByteArrayInputStream(bytes), bytes.length, "fuzz.keras")) {
            if (fixture.x() != null) {
                model.predict(fixture.x());
                return;
            }
            List<float[][]> inputs = new ArrayList<>();
            for (int place : model.topology().inputs()) {
                inputs.add(new float[3][((InputLayer) model.topology().layers().get(place)).width()]);
            }
            model.predict(inputs);
        }
    }

    private static List<byte[]> indexes(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new byte[] {(byte) i});
        }
        return out;
    }

    /** The fixture's index in front of the file's bytes, so that the reader knows the model. */
    private static byte[] tagged(int index, byte[] bytes) {
        byte[] out = new byte[bytes.length + 1];
        out[0] = (byte) index;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }

    private static byte[] untag(byte[] tagged) {
        return Arrays.copyOfRange(tagged, 1, tagged.length);
    }

    // ---- zip entries ------------------------------------------------------------------------------

    /** A zip archive's entries by name, in order. */
    static Map<String, byte[]> entries(byte[] zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    /** A zip archive of the entries, each stored, as Keras writes a .keras file. */
    static byte[] storedZip(Map<String, byte[]> entries) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    ZipEntry entry = new ZipEntry(e.getKey());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setCrc(crc.getValue());
                    zip.putNextEntry(entry);
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The archive with one entry's bytes replaced (and its CRC and sizes made to match). */
    static byte[] withEntry(Map<String, byte[]> entries, String name, byte[] bytes) {
        Map<String, byte[]> copy = new LinkedHashMap<>(entries);
        copy.put(name, bytes);
        return storedZip(copy);
    }

    // ---- mutations --------------------------------------------------------------------------------

    private static final long[] EXTREMES = {-1L, 0L, 1L, 1L << 60, Integer.MAX_VALUE, 0xFFFFFFFFL, Long.MAX_VALUE,
        Long.MIN_VALUE, 1L << 31, 1L << 32, 65_535, 255};

    /** Byte damage anywhere in the file: truncation, flips, 8 bytes overwritten, junk appended. */
    static byte[] mutateBytes(byte[] original, Random random) {
        byte[] copy = original.clone();
        switch (random.nextInt(5)) {
            case 0 -> copy = Arrays.copyOf(original, random.nextInt(original.length + 1));
            case 1 -> flip(copy, random, 1 + random.nextInt(4), true);
            case 2 -> flip(copy, random, 1 + random.nextInt(4), false);
            case 3 -> overwrite(copy, random.nextInt(Math.max(1, copy.length - 7)), randomExtreme(random),
                    1 << random.nextInt(4));
            default -> copy = appendJunk(original, random);
        }
        return copy;
    }

    /**
     * Damage aimed at HDF5's structure: besides the byte damage, a file offset (any 8 bytes whose value
     * lies inside the file: object headers, B-tree nodes, heaps, continuation blocks) redirected to
     * another object, itself or outside the file, which makes cycles and dangling pointers; a small field
     * (message size, name length, dimension) set to an extreme; and a block of the file copied over another.
     */
    static byte[] mutateHdf5(byte[] original, Random random) {
        byte[] copy = original.clone();
        if (original.length < 1_024) { // what the structural damage needs: an already damaged, short file
            return mutateBytes(original, random);
        }
        switch (random.nextInt(8)) {
            case 0 -> copy = Arrays.copyOf(original, random.nextInt(original.length + 1));
            case 1 -> flip(copy, random, 1 + random.nextInt(4), false);
            case 2 -> flip(copy, random, 1 + random.nextInt(8), true); // the superblock and root group
            case 3, 4 -> {
                List<Integer> pointers = pointers(original);
                if (pointers.isEmpty()) {
                    return mutateBytes(original, random);
                }
                int at = pointers.get(random.nextInt(pointers.size()));
                long value = switch (random.nextInt(5)) {
                    case 0 -> at; // a pointer to itself
                    case 1 -> littleEndian(original, pointers.get(random.nextInt(pointers.size()))); // elsewhere
                    case 2 -> random.nextInt(original.length);
                    case 3 -> original.length + random.nextInt(1 << 20);
                    default -> randomExtreme(random);
                };
                overwrite(copy, at, value, 8);
            }
            case 5 -> overwrite(copy, random.nextInt(copy.length - 7), randomExtreme(random),
                    1 << random.nextInt(4));
            case 6 -> {
                int length = 1 + random.nextInt(256);
                int from = random.nextInt(copy.length - length);
                int to = random.nextInt(copy.length - length);
                System.arraycopy(original, from, copy, to, length);
            }
            default -> copy = appendJunk(original, random);
        }
        return copy;
    }

    /** The pointers of the files seen so far, by identity (the fixtures' bytes are never changed). */
    private static final Map<byte[], List<Integer>> POINTERS = new java.util.IdentityHashMap<>();

    /** Offsets of the 8-byte little-endian values that could be file offsets (inside the file, past the start). */
    private static synchronized List<Integer> pointers(byte[] file) {
        List<Integer> known = POINTERS.get(file);
        if (known != null) {
            return known;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i + 8 <= file.length; i++) {
            long v = littleEndian(file, i);
            if (v >= 48 && v < file.length) {
                out.add(i);
            }
        }
        if (POINTERS.size() < 64) { // the fixtures; a soak run's damaged intermediates are not kept
            POINTERS.put(file, out);
        }
        return out;
    }

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final Pattern VALUE = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?"
            + "|true|false|null");
    private static final String[] EXTREME_NUMBERS = {"2147483647", "-2147483648", "9223372036854775807",
        "-9223372036854775808", "2000000000", "-1", "0", "1", "1e39", "-1e39", "1e308", "4.9e-324", "1e-45",
        "3.4028235e38", "0.5", "NaN", "1e999999"};
    private static final String[] OTHER_VALUES = {"null", "true", "false", "\"\"", "{}", "[]", "[null]", "0", "-1",
        "\"Embedding\"", "\"LSTM\"", "\"Dense\"", "\"Conv2D\"", "\"BatchNormalization\"", "\"Dropout\"",
        "\"Functional\"", "\"float64\"", "\"mixed_float16\"", "\"bfloat16\"", "\"RandomNormal\"", "\"relu\"",
        "\"softmax\"", "\"Adam\"", "\"SGD\"", "\"RMSprop\"", "\"same\"", "\"valid\"", "\"channels_first\"",
        "\"dense\"", "\"dense_1\"", "\"layers\"", "\"units\"", "\"batch_shape\"", "[null, 2000000000]", "[null]",
        "[null, 0]", "[null, -3]", "[2147483647, 2147483647]", "{\"class_name\": \"Dense\", \"config\": {}}",
        "\"" + "x".repeat(10_000) + "\"", "[".repeat(2_000) + "]".repeat(2_000), "\"\\u0000\"", "\"\\ud800\""};

    /** config.json damaged: as bytes, a number made extreme, or a value replaced by another JSON value. */
    static byte[] mutateJson(byte[] original, Random random) {
        int kind = random.nextInt(4);
        if (kind == 0) {
            return mutateBytes(original, random);
        }
        String json = new String(original, StandardCharsets.UTF_8);
        List<int[]> spans = new ArrayList<>();
        Matcher m = (kind == 1 ? NUMBER : VALUE).matcher(json);
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        StringBuilder out = new StringBuilder(json);
        int changes = 1 + random.nextInt(kind == 3 ? 4 : 2);
        for (int k = 0; k < changes && !spans.isEmpty(); k++) { // right to left keeps the other spans valid
            int[] span = spans.get(spans.size() - 1 - random.nextInt(spans.size()));
            String replacement;
            if (kind == 3) { // another value of the same file: a name where a number was, a dtype for a class...
                int[] other = spans.get(random.nextInt(spans.size()));
                replacement = json.substring(other[0], other[1]);
            } else {
                String[] pool = kind == 1 ? EXTREME_NUMBERS : OTHER_VALUES;
                replacement = pool[random.nextInt(pool.length)];
            }
            out.replace(span[0], span[1], replacement);
            spans.removeIf(s -> s[1] > span[0]);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void flip(byte[] copy, Random random, int flips, boolean nearStart) {
        for (int i = 0; i < flips && copy.length > 0; i++) {
            int span = nearStart ? Math.min(copy.length, 512) : copy.length;
            copy[random.nextInt(span)] ^= (byte) (1 + random.nextInt(255));
        }
    }

    private static void overwrite(byte[] copy, int at, long value, int width) {
        for (int b = 0; b < width && at + b < copy.length; b++) {
            copy[at + b] = (byte) (value >>> (8 * b));
        }
    }

    private static long randomExtreme(Random random) {
        return random.nextInt(4) == 0 ? random.nextLong() : EXTREMES[random.nextInt(EXTREMES.length)];
    }

    private static byte[] appendJunk(byte[] original, Random random) {
        byte[] copy = Arrays.copyOf(original, original.length + 1 + random.nextInt(64));
        for (int i = original.length; i < copy.length; i++) {
            copy[i] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private static long littleEndian(byte[] bytes, int at) {
        long v = 0;
        for (int b = 7; b >= 0; b--) {
            v = (v << 8) | (bytes[at + b] & 0xFF);
        }
        return v;
    }
}
