package dev.kiln.io;

import dev.kiln.core.io.AtomicFiles;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.message.DataLayout;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keras 3's weights file, {@code model.weights.h5} inside a {@code .keras} archive or a
 * {@code .weights.h5} of its own: HDF5 (read and written with jhdf) holding each layer's variables as
 * {@code layers/<layer name>/vars/<i>} in the layer's own order (Dense: kernel, bias) and the
 * optimizer's as {@code optimizer/vars/<i>}: the step count, the learning rate unless a schedule
 * gives it, then the slots.
 *
 * <p>Reading is strict: the file is walked once (groups only, no links, at most {@value #MAX_NODES}
 * nodes and {@value #MAX_DEPTH} levels); a variable is read only after its type (float32, or an integer
 * for the step count), its shape (the one the model expects) and its layout (contiguous or compact,
 * no filters, as h5py writes Keras' variables) are checked; and every dataset in the file must be
 * claimed by the model, so nothing is silently dropped. Any failure, including one inside jhdf, is a
 * {@link ModelFormatException} naming the variable's path.
 *
 * <p>What cannot be checked first: jhdf parses the file's own structures (object headers, B-trees,
 * heaps) with the sizes they declare before Kiln sees a dataset. Those live in the bytes already in
 * memory, which the zip reader bounded by the file's size; whatever a damaged structure makes jhdf
 * throw, including running out of memory or stack, is refused as above (11,000 damaged files in
 * {@code KerasFileFuzzTest}, each within 64 MB of heap).
 *
 * <pre>{@code
 * KerasWeights.Reader file = KerasWeights.read(bytes, "model.keras!/model.weights.h5");
 * float[] kernel = file.layerVariable("dense", 0, new int[] {784, 128});
 * }</pre>
 */
public final class KerasWeights {
    /** The most bytes a weights file may hold: one Java array's practical limit. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;
    /** The most groups and datasets a file may hold: 10,000 layers of a few variables, with room. */
    public static final int MAX_NODES = 250_000;
    /** Keras' deepest path is {@code layers/<name>/vars/<i>}; a little room above it, no recursion bomb. */
    private static final int MAX_DEPTH = 6;
    private static final String LAYERS = "layers";
    private static final String OPTIMIZER = "optimizer";
    private static final String VARS = "vars";

    private KerasWeights() {
    }

    /**
     * The optimizer's variables as Keras lays them out.
     *
     * @param name         the optimizer's Keras name ({@code adam}), kept as the group's attribute
     * @param iterations   the steps taken
     * @param learningRate the current rate, or null when a schedule computes it from the step count
     * @param slots        the slot variables in Keras' order
     */
    public record OptimizerState(String name, long iterations, Float learningRate, List<SafeTensors.Entry> slots) {
        public OptimizerState {
            slots = List.copyOf(slots);
        }
    }

    // ---- writing --------------------------------------------------------------------------------

    /**
     * The file's bytes: each layer's variables under its name, in order, and the optimizer's when
     * {@code optimizer} is not null. Layers without variables get no group (Keras writes none, and an
     * empty group is not one h5py reads back from jhdf).
     */
    public static byte[] encode(Map<String, List<SafeTensors.Entry>> layers, OptimizerState optimizer)
            throws IOException {
        checkWritable(layers, optimizer);
        Path temp = Files.createTempFile("kiln-", ".weights.h5");
        try {
            try (WritableHdfFile file = HdfFile.write(temp)) {
                WritableGroup layerGroup = null;
                for (Map.Entry<String, List<SafeTensors.Entry>> layer : layers.entrySet()) {
                    if (layer.getValue().isEmpty()) {
                        continue;
                    }
                    if (layerGroup == null) {
                        layerGroup = file.putGroup(LAYERS);
                    }
                    WritableGroup vars = layerGroup.putGroup(layer.getKey()).putGroup(VARS);
                    vars.putAttribute("name", layer.getKey());
                    for (int i = 0; i < layer.getValue().size(); i++) {
                        vars.putDataset(Integer.toString(i), nested(layer.getValue().get(i)));
                    }
                }
                if (optimizer != null) {
                    WritableGroup vars = file.putGroup(OPTIMIZER).putGroup(VARS);
                    vars.putAttribute("name", optimizer.name());
                    int index = 0;
                    vars.putDataset(Integer.toString(index++), optimizer.iterations() <= Integer.MAX_VALUE
                            ? (Object) (int) optimizer.iterations() : (Object) optimizer.iterations());
                    if (optimizer.learningRate() != null) {
                        vars.putDataset(Integer.toString(index++), optimizer.learningRate());
                    }
                    for (SafeTensors.Entry slot : optimizer.slots()) {
                        vars.putDataset(Integer.toString(index++), nested(slot));
                    }
                }
            }
            byte[] bytes = Files.readAllBytes(temp);
            verify(bytes, layers, optimizer);
            return bytes;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Refuses, before anything is written, variables whose file would outgrow what Kiln reads back (one
     * Java array): the values alone, with a megabyte for HDF5's own structures.
     */
    private static void checkWritable(Map<String, List<SafeTensors.Entry>> layers, OptimizerState optimizer) {
        long bytes = 1L << 20;
        for (List<SafeTensors.Entry> vars : layers.values()) {
            for (SafeTensors.Entry v : vars) {
                bytes += (long) v.values().length * Float.BYTES;
            }
        }
        if (optimizer != null) {
            for (SafeTensors.Entry v : optimizer.slots()) {
                bytes += (long) v.values().length * Float.BYTES;
            }
        }
        if (bytes > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("the model's weights file would take about " + bytes + " bytes;"
                    + " Kiln reads Keras weights files of at most " + MAX_FILE_BYTES + " (KerasWeights.MAX_FILE_BYTES)");
        }
    }

    /**
     * Reads the written bytes back with this class's own reader and compares every variable, bit for bit:
     * jhdf calls its writer alpha, so a file it got wrong is caught here, before it replaces a good one.
     */
    private static void verify(byte[] bytes, Map<String, List<SafeTensors.Entry>> layers, OptimizerState optimizer) {
        try {
            Reader back = read(bytes, "the weights file just written");
            for (Map.Entry<String, List<SafeTensors.Entry>> layer : layers.entrySet()) {
                for (int i = 0; i < layer.getValue().size(); i++) {
                    SafeTensors.Entry v = layer.getValue().get(i);
                    requireSame(v.values(), back.layerVariable(layer.getKey(), i, v.shape()), layer.getKey(), i);
                }
            }
            if (optimizer != null) {
                int index = 0;
                if (back.optimizerCount(index++) != optimizer.iterations()) {
                    throw new IllegalStateException("the step count did not read back as written");
                }
                if (optimizer.learningRate() != null
                        && Float.compare(back.optimizerScalar(index++), optimizer.learningRate()) != 0) {
                    throw new IllegalStateException("the learning rate did not read back as written");
                }
                for (SafeTensors.Entry slot : optimizer.slots()) {
                    requireSame(slot.values(), back.optimizerVariable(index, slot.shape()), OPTIMIZER, index);
                    index++;
                }
            }
            if (!back.unclaimed().isEmpty()) {
                throw new IllegalStateException("the file holds more than was written: " + back.unclaimed());
            }
        } catch (ModelFormatException e) {
            throw new IllegalStateException("the HDF5 writer produced a weights file Kiln cannot read back ("
                    + e.getMessage() + "); nothing was saved", e);
        }
    }

    private static void requireSame(float[] written, float[] read, String group, int index) {
        for (int i = 0; i < written.length; i++) {
            if (Float.floatToRawIntBits(written[i]) != Float.floatToRawIntBits(read[i])) {
                throw new IllegalStateException("the HDF5 writer wrote '" + group + "' variable " + index
                        + " wrongly: value " + i + " reads back as " + read[i] + ", not " + written[i]
                        + "; nothing was saved");
            }
        }
    }

    /** Writes {@link #encode}'s bytes to {@code path} atomically. */
    public static void write(Path path, Map<String, List<SafeTensors.Entry>> layers, OptimizerState optimizer)
            throws IOException {
        byte[] bytes = encode(layers, optimizer);
        AtomicFiles.write(path, out -> out.write(bytes));
    }

    /** jhdf takes the shape from the array's nesting: float[a][b] for a tensor of shape [a, b], a Float for []. */
    private static Object nested(SafeTensors.Entry tensor) {
        int[] shape = tensor.shape();
        if (shape.length == 0) {
            return tensor.values()[0]; // a boxed float: jhdf writes a scalar dataset, as Keras does for shape ()
        }
        if (shape.length == 1) {
            return tensor.values().clone();
        }
        Object array = Array.newInstance(float.class, shape);
        int[] at = {0};
        fill(array, shape, 0, tensor.values(), at);
        return array;
    }

    private static void fill(Object array, int[] shape, int axis, float[] values, int[] at) {
        if (axis == shape.length - 1) {
            System.arraycopy(values, at[0], array, 0, shape[axis]);
            at[0] += shape[axis];
            return;
        }
        for (int i = 0; i < shape[axis]; i++) {
            fill(Array.get(array, i), shape, axis + 1, values, at);
        }
    }

    // ---- reading --------------------------------------------------------------------------------

    /** Opens the file's bytes and lists its datasets; {@code source} names it in messages. */
    public static Reader read(byte[] bytes, String source) throws ModelFormatException {
        return new Reader(bytes, source);
    }

    /**
     * A weights file being read: what it holds, and each variable once checked against the shape the
     * model expects. {@link #unclaimed()} lists what was never asked for.
     */
    public static final class Reader {
        private final String source;
        private final Map<String, Dataset> datasets = new TreeMap<>();
        private final Map<String, Dataset> unclaimed = new TreeMap<>();

        private Reader(byte[] bytes, String source) throws ModelFormatException {
            this.source = source;
            guarded("the file", () -> {
                HdfFile file = HdfFile.fromBytes(bytes);
                walk(file, "", 0, new int[1]);
                return null;
            });
            // Every dataset's bytes, by its declared shape and type, must fit in the file before the model is
            // sized from them. Computed here exactly: jhdf's own getSizeInBytes wraps around, and one dataset
            // declaring a negative size would let the others declare more than the file holds.
            long declared = 0;
            String largest = null;
            long largestBytes = -1;
            for (Map.Entry<String, Dataset> e : datasets.entrySet()) {
                long size = declaredBytes(e.getKey(), e.getValue());
                if (size > largestBytes) {
                    largest = e.getKey();
                    largestBytes = size;
                }
                declared = declared + size < 0 ? Long.MAX_VALUE : declared + size; // both >= 0
            }
            if (declared > bytes.length) {
                throw new ModelFormatException(source, "declares " + declared + " bytes of variables but holds only "
                        + bytes.length + " bytes (the largest, '" + Abbreviated.name(largest) + "', declares "
                        + largestBytes + ")");
            }
            unclaimed.putAll(datasets);
        }

        private void walk(Group group, String prefix, int depth, int[] count) throws ModelFormatException {
            for (Node node : group.getChildren().values()) {
                String path = prefix + node.getName();
                if (++count[0] > MAX_NODES) {
                    throw new ModelFormatException(source, "holds more than " + MAX_NODES + " groups and datasets");
                }
                if (node.isLink()) {
                    throw new ModelFormatException(source, "'" + Abbreviated.name(path) + "' is a link; Keras writes"
                            + " none and Kiln follows none");
                }
                if (node instanceof Dataset dataset) {
                    datasets.put(path, dataset);
                } else if (node instanceof Group child) {
                    if (depth + 1 >= MAX_DEPTH) {
                        throw new ModelFormatException(source, "'" + Abbreviated.name(path) + "' lies deeper than"
                                + " Keras writes (" + MAX_DEPTH + " levels)");
                    }
                    walk(child, path + "/", depth + 1, count);
                } else {
                    throw new ModelFormatException(source, "'" + Abbreviated.name(path) + "' is neither a group nor"
                            + " a dataset");
                }
            }
        }

        /**
         * A dataset's size in bytes by its declared shape and element size, exactly; nothing is read. A
         * size beyond 2^63 bytes is refused naming the dataset.
         */
        private long declaredBytes(String path, Dataset dataset) throws ModelFormatException {
            return guarded(path, () -> {
                int element = dataset.getDataType().getSize();
                try {
                    long values = valueCount(dataset);
                    if (element <= 0) {
                        throw new ArithmeticException("element size " + element);
                    }
                    return Math.multiplyExact(values, element);
                } catch (ArithmeticException e) {
                    throw new ModelFormatException(source, "'" + Abbreviated.name(path) + "' declares shape "
                            + Abbreviated.name(Arrays.toString(dataset.getDimensions())) + " of " + element
                            + "-byte values: no file holds that many bytes");
                }
            });
        }

        /** How many values the layers' variables hold, by their declared shapes (nothing is read). */
        public long layerValueCount() throws ModelFormatException {
            return guarded("the file", () -> {
                long n = 0;
                for (Map.Entry<String, Dataset> e : datasets.entrySet()) {
                    if (e.getKey().startsWith(LAYERS + "/")) {
                        n = Math.addExact(n, valueCount(e.getValue()));
                    }
                }
                return n;
            });
        }

        /**
         * The declared shapes of each layer's variables ({@code layers/<layer>/vars/0}, 1, ... as far as they
         * go on without a gap), by layer name; nothing is read. For messages about a file that does not fit.
         */
        public Map<String, List<int[]>> layerShapes() throws ModelFormatException {
            Map<String, List<int[]>> shapes = new TreeMap<>();
            for (String layer : layersWithVariables()) {
                List<int[]> vars = new ArrayList<>();
                for (int i = 0; i < layerVariableCount(layer); i++) {
                    Dataset dataset = datasets.get(LAYERS + "/" + layer + "/" + VARS + "/" + i);
                    vars.add(guarded("the file", () -> dataset.isScalar() ? new int[0] : dataset.getDimensions()));
                }
                shapes.put(layer, vars);
            }
            return shapes;
        }

        /** The names of the layers with variables, in the file's (alphabetical) order. */
        private List<String> layersWithVariables() {
            List<String> names = new ArrayList<>();
            for (String path : datasets.keySet()) {
                String[] parts = path.split("/");
                if (parts.length == 4 && parts[0].equals(LAYERS) && parts[2].equals(VARS)
                        && !names.contains(parts[1])) {
                    names.add(parts[1]);
                }
            }
            return names;
        }

        /** How many variables a layer has in the file (0 when it has none). */
        public int layerVariableCount(String layer) {
            return count(LAYERS + "/" + layer + "/" + VARS + "/");
        }

        /** How many optimizer variables the file holds (0 when it has none). */
        public int optimizerVariableCount() {
            return count(OPTIMIZER + "/" + VARS + "/");
        }

        private int count(String prefix) {
            int n = 0;
            while (datasets.containsKey(prefix + n)) {
                n++;
            }
            return n;
        }

        /** Variable {@code index} of {@code layer}, which must have {@code shape}. */
        public float[] layerVariable(String layer, int index, int[] shape) throws ModelFormatException {
            return floats(LAYERS + "/" + layer + "/" + VARS + "/" + index, shape);
        }

        /** Optimizer variable {@code index}, which must have {@code shape}. */
        public float[] optimizerVariable(int index, int[] shape) throws ModelFormatException {
            return floats(OPTIMIZER + "/" + VARS + "/" + index, shape);
        }

        /** Optimizer variable {@code index} as a float32 scalar (the learning rate). */
        public float optimizerScalar(int index) throws ModelFormatException {
            return floats(OPTIMIZER + "/" + VARS + "/" + index, new int[0])[0];
        }

        /** Optimizer variable {@code index} as a non-negative integer scalar (the step count). */
        public long optimizerCount(int index) throws ModelFormatException {
            String path = OPTIMIZER + "/" + VARS + "/" + index;
            Dataset dataset = claim(path);
            return guarded(path, () -> {
                DataType type = dataset.getDataType();
                if (!(type instanceof FixedPoint) || type.getSize() > 8 || !dataset.isScalar()) {
                    throw new ModelFormatException(source, "'" + path + "' must be an integer scalar (the optimizer's"
                            + " step count), found " + describe(dataset));
                }
                requirePlainLayout(path, dataset);
                Object value = dataset.getData();
                long count = value instanceof Number n ? n.longValue() : -1;
                if (count < 0) {
                    throw new ModelFormatException(source, "'" + path + "' (the optimizer's step count) is " + value
                            + "; it must be >= 0");
                }
                return count;
            });
        }

        /** The datasets no call has asked for. */
        public List<String> unclaimed() {
            return List.copyOf(unclaimed.keySet());
        }

        private Dataset claim(String path) throws ModelFormatException {
            Dataset dataset = datasets.get(path);
            if (dataset == null) {
                throw new ModelFormatException(source, "has no variable '" + path + "'");
            }
            unclaimed.remove(path);
            return dataset;
        }

        private float[] floats(String path, int[] shape) throws ModelFormatException {
            Dataset dataset = claim(path);
            return guarded(path, () -> {
                DataType type = dataset.getDataType();
                if (!(type instanceof FloatingPoint) || type.getSize() != 4) {
                    throw new ModelFormatException(source, "'" + path + "' holds " + describe(dataset)
                            + "; Kiln reads float32 variables");
                }
                int[] dims = dataset.isScalar() ? new int[0] : dataset.getDimensions();
                if (!Arrays.equals(dims, shape)) {
                    throw new ModelFormatException(source, "'" + path + "' has shape " + Arrays.toString(dims)
                            + " but the model's variable there has shape " + Arrays.toString(shape));
                }
                requirePlainLayout(path, dataset);
                if (shape.length == 0) {
                    Object value = dataset.getData();
                    return new float[] {((Number) value).floatValue()};
                }
                Object flat = dataset.getDataFlat();
                if (!(flat instanceof float[] values) || values.length != product(shape)) {
                    throw new ModelFormatException(source, "'" + path + "' could not be read as "
                            + Arrays.toString(shape) + " float32 values");
                }
                return values;
            });
        }

        /**
         * Contiguous or compact data is read in place from the bytes already in memory; a chunked or
         * filtered dataset could inflate to any size, and Keras never writes one.
         */
        private void requirePlainLayout(String path, Dataset dataset) throws ModelFormatException {
            DataLayout layout = dataset.getDataLayout();
            if (layout != DataLayout.CONTIGUOUS && layout != DataLayout.COMPACT) {
                throw new ModelFormatException(source, "'" + path + "' is stored " + layout
                        + "; Keras writes contiguous variables and Kiln reads only those (no chunks, no compression)");
            }
        }

        private String describe(Dataset dataset) {
            DataType type = dataset.getDataType();
            return type.getClass().getSimpleName() + " of " + type.getSize() + " bytes, shape "
                    + (dataset.isScalar() ? "[]" : Arrays.toString(dataset.getDimensions()));
        }

        /**
         * Runs a step that reads the file, turning whatever a damaged file makes jhdf throw into a refusal:
         * its exceptions, a stack or heap exhausted by a structure that loops or lies about its size, and a
         * codec class Kiln leaves out (jhdf's LZ4 and LZF, for compressed chunks it never reads).
         */
        private <T> T guarded(String what, Step<T> step) throws ModelFormatException {
            try {
                return step.run();
            } catch (ModelFormatException e) {
                throw e;
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError | LinkageError e) {
                throw new ModelFormatException(source, "is not a weights file Kiln can read (" + what + ": "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
                        + Abbreviated.name(e.getMessage())) + ")", e);
            }
        }
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws ModelFormatException;
    }

    /** A dataset's values by its declared dimensions, computed exactly (jhdf's getSize wraps around). */
    private static long valueCount(Dataset dataset) {
        long n = 1;
        if (!dataset.isScalar()) {
            for (int d : dataset.getDimensions()) {
                if (d < 0) {
                    throw new ArithmeticException("dimension " + d);
                }
                n = Math.multiplyExact(n, d);
            }
        }
        return n;
    }

    private static long product(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
