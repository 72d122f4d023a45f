package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.memory.Tensor;
import dev.kiln.losses.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The y a user passes: class indices (int[]) or rows (float[][] / Tensor: one-hot, probabilities or
 * regression targets), checked against the loss and the output width before any training step. For a
 * model with several outputs, one such y per output ({@link #ofOutputs}), each loaded into its output.
 */
final class Targets {
    private final int[] labels;
    private final float[][] rows;
    private final Tensor tensor;
    private final int count;
    /** Which output of the model these targets are for. */
    private int output;
    /** For a model with several outputs: the targets of each, in output order (and the fields above unused). */
    private final List<Targets> parts;

    private Targets(int[] labels, float[][] rows, Tensor tensor, int count) {
        this.labels = labels;
        this.rows = rows;
        this.tensor = tensor;
        this.count = count;
        this.parts = null;
    }

    private Targets(List<Targets> parts) {
        this.labels = null;
        this.rows = null;
        this.tensor = null;
        this.count = parts.get(0).count;
        this.parts = List.copyOf(parts);
    }

    /**
     * Checks {@code y} for a model with several outputs: a List with one y per output in output order,
     * or a Map from output name to its y, each as {@link #of} checks it against its output's loss and width.
     */
    static Targets ofOutputs(Object y, OutputScoring scoring, int[] outputWidths, String what) {
        List<String> names = scoring.names();
        List<Object> perOutput = new ArrayList<>();
        if (y instanceof List<?> list) {
            if (list.size() != names.size()) {
                throw new IllegalArgumentException(what + " holds " + list.size() + " arrays for a model with "
                        + names.size() + " outputs " + names + "; expected one per output, in that order");
            }
            perOutput.addAll(list);
        } else if (y instanceof Map<?, ?> map) {
            for (Object key : map.keySet()) {
                if (!names.contains(key)) {
                    throw new IllegalArgumentException(what + " has targets for '" + key + "', which is not an output"
                            + " of the model; its outputs are " + names);
                }
            }
            for (String name : names) {
                if (!map.containsKey(name)) {
                    throw new IllegalArgumentException(what + " has no targets for output '" + name + "'");
                }
                perOutput.add(map.get(name));
            }
        } else {
            throw new IllegalArgumentException(what + " is " + (y == null ? "null" : "a " + y.getClass().getSimpleName())
                    + "; a model with " + names.size() + " outputs " + names + " takes a List with one int[] or"
                    + " float[][] per output, or a Map from output name to it");
        }
        List<Targets> parts = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            Targets t = of(perOutput.get(k), scoring.losses().get(k), outputWidths[k],
                    what + " of output '" + names.get(k) + "'");
            if (!parts.isEmpty() && t.count != parts.get(0).count) {
                throw new IllegalArgumentException(what + " of output '" + names.get(k) + "' has " + t.count
                        + " rows but that of output '" + names.get(0) + "' has " + parts.get(0).count
                        + ": every output needs one target per row");
            }
            t.output = k;
            parts.add(t);
        }
        return new Targets(parts);
    }

    /** Checks {@code y} for a model with {@code outputWidth} outputs trained with {@code loss}. */
    static Targets of(Object y, Loss loss, int outputWidth, String what) {
        if (y instanceof List<?> || y instanceof Map<?, ?>) {
            throw new IllegalArgumentException(what + " is a " + (y instanceof List<?> ? "List" : "Map")
                    + ", but the model has one output; pass its int[] or float[][] targets");
        }
        if (y instanceof int[] l) {
            if (loss.sparseTargets()) {
                checkLabels(l, outputWidth, what);
                return new Targets(l, null, null, l.length);
            }
            if (outputWidth == 1) {
                float[][] column = new float[l.length][1];
                for (int i = 0; i < l.length; i++) {
                    column[i][0] = l[i];
                }
                checkBinary(column, loss, what);
                return new Targets(null, column, null, l.length);
            }
            throw new IllegalArgumentException(what + " holds class indices (int[]) but loss '" + loss.name()
                    + "' needs rows of " + outputWidth + " values (one-hot); use sparse_categorical_crossentropy"
                    + " for class indices");
        }
        if (y instanceof float[][] r) {
            int expected = loss.sparseTargets() ? 1 : outputWidth;
            for (int i = 0; i < r.length; i++) {
                if (r[i] == null || r[i].length != expected) {
                    throw new IllegalArgumentException(what + " row " + i + " has "
                            + (r[i] == null ? "no array" : r[i].length + " values") + " but loss '" + loss.name()
                            + "' with " + outputWidth + " outputs expects " + expected);
                }
                for (int j = 0; j < r[i].length; j++) {
                    if (!Float.isFinite(r[i][j])) {
                        throw new IllegalArgumentException(what + "[" + i + "][" + j + "] is " + r[i][j]
                                + ": targets must be finite numbers");
                    }
                }
            }
            if (loss.sparseTargets()) {
                int[] l = new int[r.length];
                for (int i = 0; i < r.length; i++) {
                    l[i] = (int) r[i][0];
                    if (l[i] != r[i][0]) {
                        throw new IllegalArgumentException(what + " row " + i + " is " + r[i][0]
                                + ": sparse labels must be whole class indices");
                    }
                }
                checkLabels(l, outputWidth, what);
                return new Targets(l, null, null, l.length);
            }
            checkBinary(r, loss, what);
            return new Targets(null, r, null, r.length);
        }
        if (y instanceof Tensor t) {
            TensorChecks.requireUsable(t, what);
            if (loss.sparseTargets() || loss.targetsAreProbabilities()) {
                return of(t.toRows(), loss, outputWidth, what); // checked row by row
            }
            if (t.rowWidth() != outputWidth) {
                throw new IllegalArgumentException(what + " tensor rows have " + t.rowWidth() + " values but the model has "
                        + outputWidth + " outputs");
            }
            return new Targets(null, null, t, t.rows());
        }
        throw new IllegalArgumentException(what + " must be an int[] of class indices, a float[][] or a Tensor, got "
                + (y == null ? "null" : y.getClass().getSimpleName()));
    }

    /** A loss that reads targets as probabilities (binary cross-entropy): anything outside [0, 1] is a mistake. */
    private static void checkBinary(float[][] rows, Loss loss, String what) {
        if (!loss.targetsAreProbabilities()) {
            return;
        }
        for (int i = 0; i < rows.length; i++) {
            for (float v : rows[i]) {
                if (!(v >= 0f && v <= 1f)) {
                    throw new IllegalArgumentException(what + " row " + i + " holds " + v + ": " + loss.name()
                            + " needs targets in [0, 1] (class 0 or 1, or a probability)");
                }
            }
        }
    }

    private static void checkLabels(int[] labels, int classes, String what) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + labels[i]
                        + ": class indices must be in [0, " + classes + ") for a model with " + classes + " outputs");
            }
        }
    }

    int count() {
        return count;
    }

    void load(CompiledGraph graph, int[] order, int from, int n) {
        if (parts != null) {
            for (Targets part : parts) {
                part.load(graph, order, from, n);
            }
        } else if (labels != null) {
            graph.loadLabels(output, labels, order, from, n);
        } else if (rows != null) {
            graph.loadTargets(output, rows, order, from, n);
        } else {
            graph.loadTargets(output, tensor, order, from, n);
        }
    }

    /** True for the targets of a model with several outputs. */
    boolean perOutput() {
        return parts != null;
    }

    /**
     * The class of target {@code row}: the label, the arg-max of a one-hot row, or for one column
     * class 1 when the target is at least 0.5.
     */
    int classOf(int row) {
        if (labels != null) {
            return labels[row];
        }
        float[] r = rows != null ? rows[row] : tensorRow(row);
        if (r.length == 1) {
            return r[0] >= 0.5f ? 1 : 0;
        }
        int best = 0;
        for (int j = 1; j < r.length; j++) {
            if (r[j] > r[best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * The class of target {@code row} as Keras' class_weight reads it: the label, the arg-max of a row of
     * several values, or a single value rounded half to even (0.5 is class 0, 1.5 class 2).
     */
    int weightedClassOf(int row) {
        if (labels != null) {
            return labels[row];
        }
        float[] r = rows != null ? rows[row] : tensorRow(row);
        return r.length == 1 ? (int) Math.rint(r[0]) : classOf(row);
    }

    private float[] tensorRow(int row) {
        float[] r = new float[tensor.rowWidth()];
        for (int j = 0; j < r.length; j++) {
            r[j] = tensor.get(row, j);
        }
        return r;
    }

    Targets slice(int from, int to) {
        if (parts != null) {
            List<Targets> sliced = new ArrayList<>();
            for (Targets part : parts) {
                sliced.add(part.slice(from, to));
            }
            return new Targets(sliced);
        }
        Targets sliced = labels != null
                ? new Targets(java.util.Arrays.copyOfRange(labels, from, to), null, null, to - from)
                : new Targets(null, rows != null ? java.util.Arrays.copyOfRange(rows, from, to) : sliceTensor(from, to),
                        null, to - from);
        sliced.output = output;
        return sliced;
    }

    private float[][] sliceTensor(int from, int to) {
        float[][] all = tensor.toRows();
        return java.util.Arrays.copyOfRange(all, from, to);
    }
}
