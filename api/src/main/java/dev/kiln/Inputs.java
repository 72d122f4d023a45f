package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.exec.FiniteRows;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.memory.Tensor;

/** The x a user passes (float[][] or Tensor), checked once and then loaded batch by batch. */
final class Inputs {
    private final float[][] rows;
    private final Tensor tensor;
    private final int count;
    private final int width;

    private Inputs(float[][] rows, Tensor tensor, int count, int width) {
        this.rows = rows;
        this.tensor = tensor;
        this.count = count;
        this.width = width;
    }

    static Inputs of(Object x, String what) {
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
        throw new IllegalArgumentException(what + " must be a float[][] or a Tensor, got "
                + (x == null ? "null" : x.getClass().getSimpleName()));
    }

    int count() {
        return count;
    }

    int width() {
        return width;
    }

    void load(CompiledGraph graph, int[] order, int from, int n) {
        if (rows != null) {
            graph.loadInputs(rows, order, from, n);
        } else {
            graph.loadInputs(tensor, order, from, n);
        }
    }

    /** Rows [from, to) as a new Inputs sharing the data (for validationSplit). */
    Inputs slice(int from, int to) {
        if (rows != null) {
            return new Inputs(java.util.Arrays.copyOfRange(rows, from, to), null, to - from, width);
        }
        return new Inputs(java.util.Arrays.copyOfRange(tensor.toRows(), from, to), null, to - from, width);
    }
}
