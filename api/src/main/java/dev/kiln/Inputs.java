package dev.kiln;

import dev.kiln.core.exec.FiniteRows;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.memory.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The x a user passes (float[][] or Tensor; a List of them, one per input, for a model with several
 * inputs), checked once and then loaded batch by batch.
 */
final class Inputs {
    private final float[][] rows;
    private final Tensor tensor;
    private final int count;
    private final int width;
    /** One Inputs per model input when x is a List, else null. */
    private final List<Inputs> parts;

    private Inputs(float[][] rows, Tensor tensor, int count, int width) {
        this.rows = rows;
        this.tensor = tensor;
        this.count = count;
        this.width = width;
        this.parts = null;
    }

    private Inputs(List<Inputs> parts) {
        this.rows = null;
        this.tensor = null;
        this.count = parts.get(0).count;
        this.width = parts.get(0).width;
        this.parts = List.copyOf(parts);
    }

    static Inputs of(Object x, String what) {
        if (x instanceof List<?> list) {
            if (list.isEmpty()) {
                throw new IllegalArgumentException(what + " is an empty List: expected one array per model input");
            }
            if (list.get(0) instanceof float[]) {
                throw new IllegalArgumentException(what + " is a List of float[] rows, not of arrays: List.of(x) with one"
                        + " float[][] lists its rows; pass x itself, or List.<float[][]>of(x)");
            }
            List<Inputs> parts = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Object part = list.get(i);
                if (part instanceof List<?>) {
                    throw new IllegalArgumentException(what + " input " + i + " is a List: expected a float[][] or a"
                            + " Tensor");
                }
                parts.add(of(part, what + " input " + i));
                if (parts.get(i).count != parts.get(0).count) {
                    throw new IllegalArgumentException(what + " input " + i + " has " + parts.get(i).count + " rows but"
                            + " input 0 has " + parts.get(0).count + ": every input needs one row per example");
                }
            }
            return new Inputs(parts);
        }
        if (x instanceof float[][] r) {
            if (r.length == 0) {
                throw new IllegalArgumentException(what + " is empty: expected at least one row");
            }
            int width = r[0] == null ? 0 : r[0].length;
            for (int i = 0; i < r.length; i++) {
                if (r[i] == null || r[i].length != width) {
                    throw new IllegalArgumentException(what + " row " + i + " has "
                            + (r[i] == null ? "no array" : r[i].length + " values") + " but row 0 has " + width
                            + ": every row must have the same width");
                }
            }
            int bad = FiniteRows.firstNonFinite(r, KernelPool.global());
            if (bad >= 0) { // the usual case is -1, confirmed with vectors; this only names the culprit
                for (int j = 0; j < width; j++) {
                    if (!Float.isFinite(r[bad][j])) {
                        throw new IllegalArgumentException(what + "[" + bad + "][" + j + "] is " + r[bad][j]
                                + ": inputs must be finite numbers");
                    }
                }
            }
            if (width == 0) {
                throw new IllegalArgumentException(what + " rows have no values: expected at least one feature");
            }
            return new Inputs(r, null, r.length, width);
        }
        if (x instanceof Tensor t) {
            if (t.rank() < 2 || t.rows() == 0 || t.rowWidth() == 0) {
                throw new IllegalArgumentException(what + " tensor has shape " + java.util.Arrays.toString(t.shape())
                        + ": expected [rows, features] with at least one of each");
            }
            TensorChecks.requireUsable(t, what);
            return new Inputs(null, t, t.rows(), t.rowWidth());
        }
        throw new IllegalArgumentException(what + " must be a float[][] or a Tensor (a List of them for a model with"
                + " several inputs), got "
                + (x == null ? "null" : x.getClass().getSimpleName()));
    }

    int count() {
        return count;
    }

    /** Values per row (of the first input, when there are several). */
    int width() {
        return width;
    }

    /** How many inputs x holds: 1 unless it was a List. */
    int inputCount() {
        return parts == null ? 1 : parts.size();
    }

    /** Values per row of input {@code input}. */
    int width(int input) {
        return parts == null ? width : parts.get(input).width;
    }

    void load(CompiledGraph graph, int[] order, int from, int n) {
        if (parts != null) {
            for (int i = 0; i < parts.size(); i++) {
                parts.get(i).loadInto(graph, i, order, from, n);
            }
        } else {
            loadInto(graph, 0, order, from, n);
        }
    }

    private void loadInto(CompiledGraph graph, int input, int[] order, int from, int n) {
        if (rows != null) {
            graph.loadInputs(input, rows, order, from, n);
        } else {
            graph.loadInputs(input, tensor, order, from, n);
        }
    }

    /** Rows [from, to) as a new Inputs sharing the data (for validationSplit). */
    Inputs slice(int from, int to) {
        if (parts != null) {
            List<Inputs> sliced = new ArrayList<>();
            for (Inputs p : parts) {
                sliced.add(p.slice(from, to));
            }
            return new Inputs(sliced);
        }
        if (rows != null) {
            return new Inputs(java.util.Arrays.copyOfRange(rows, from, to), null, to - from, width);
        }
        return new Inputs(java.util.Arrays.copyOfRange(tensor.toRows(), from, to), null, to - from, width);
    }
}
