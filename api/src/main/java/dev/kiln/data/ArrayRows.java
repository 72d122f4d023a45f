package dev.kiln.data;

import dev.kiln.core.memory.Tensor;
import java.util.Arrays;

/** Rows of in-memory arrays (float[][] or a Tensor, with int[] labels, float[][] or Tensor targets, or none). */
final class ArrayRows implements RowSource {
    private final float[][] xRows;
    private final Tensor xTensor;
    private final int[] labels;
    private final float[][] yRows;
    private final Tensor yTensor;
    private final int count;
    private final int xWidth;
    private final int yWidth;

    ArrayRows(Object x, Object y) {
        switch (x) {
            case float[][] r -> {
                xRows = r;
                xTensor = null;
                count = r.length;
                xWidth = checkedWidth(r, "x");
            }
            case Tensor t -> {
                if (t.rank() < 1) {
                    throw new IllegalArgumentException("x tensor has shape " + Arrays.toString(t.shape())
                            + ": expected [rows, features...]");
                }
                xRows = null;
                xTensor = t;
                count = t.rows();
                xWidth = t.rowWidth();
            }
            case null -> throw new IllegalArgumentException("x must not be null");
            default -> throw new IllegalArgumentException("x must be a float[][] or a Tensor, got "
                    + x.getClass().getSimpleName());
        }
        if (count == 0 || xWidth == 0) {
            throw new IllegalArgumentException("x has " + count + " rows of " + xWidth
                    + " features: a dataset needs at least one row with at least one feature");
        }
        int yCount;
        switch (y) {
            case null -> {
                labels = null;
                yRows = null;
                yTensor = null;
                yWidth = 0;
                yCount = count;
            }
            case int[] l -> {
                labels = l;
                yRows = null;
                yTensor = null;
                yWidth = 1;
                yCount = l.length;
            }
            case float[][] r -> {
                labels = null;
                yRows = r;
                yTensor = null;
                yWidth = checkedWidth(r, "y");
                yCount = r.length;
            }
            case Tensor t -> {
                labels = null;
                yRows = null;
                yTensor = t;
                yWidth = t.rank() == 1 ? 1 : t.rowWidth();
                yCount = t.rank() == 0 ? 1 : t.rows();
            }
            default -> throw new IllegalArgumentException("y must be an int[] of class indices, a float[][] or a"
                    + " Tensor, got " + y.getClass().getSimpleName());
        }
        if (yCount != count) {
            throw new IllegalArgumentException("x has " + count + " rows but y has " + yCount
                    + ": they must have one target per row");
        }
    }

    private static int checkedWidth(float[][] rows, String what) {
        int width = rows.length == 0 || rows[0] == null ? 0 : rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != width) {
                throw new IllegalArgumentException(what + " row " + i + " has "
                        + (rows[i] == null ? "no array" : rows[i].length + " values") + " but row 0 has " + width
                        + ": every row must have the same width");
            }
        }
        return width;
    }

    @Override
    public long rows() {
        return count;
    }

    @Override
    public RowCursor open() {
        return new RowCursor() {
            private int next;

            @Override
            public int xWidth() {
                return xWidth;
            }

            @Override
            public int yWidth() {
                return yWidth;
            }

            @Override
            public boolean next(float[] x, int xAt, float[] y, int yAt) {
                if (next == count) {
                    return false;
                }
                int row = next++;
                if (xRows != null) {
                    System.arraycopy(xRows[row], 0, x, xAt, xWidth);
                } else {
                    copyRow(xTensor, row, xWidth, x, xAt);
                }
                if (labels != null) {
                    y[yAt] = labels[row];
                } else if (yRows != null) {
                    System.arraycopy(yRows[row], 0, y, yAt, yWidth);
                } else if (yTensor != null) {
                    copyRow(yTensor, row, yWidth, y, yAt);
                }
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    private static void copyRow(Tensor t, int row, int width, float[] dst, int at) {
        long first = (long) row * width;
        for (int j = 0; j < width; j++) {
            dst[at + j] = t.get(first + j);
        }
    }
}
