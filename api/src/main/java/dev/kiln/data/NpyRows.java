package dev.kiln.data;

import dev.kiln.core.memory.MappedNpy;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Rows of a memory-mapped {@code .npy} pair: x of shape [rows, ...] and optionally y of [rows] (class
 * indices or values) or [rows, k]. The files' headers are checked when the dataset is made; each pass
 * maps them afresh (and unmaps them when it ends), so a dataset holds no open file between fits.
 */
final class NpyRows implements RowSource {
    private final Path xFile;
    private final Path yFile;
    private final int count;

    NpyRows(Path xFile, Path yFile) throws IOException {
        this.xFile = xFile;
        this.yFile = yFile;
        try (MappedNpy x = MappedNpy.open(xFile); MappedNpy y = yFile == null ? null : MappedNpy.open(yFile)) {
            if (x.rows() == 0 || x.rowWidth() == 0) {
                throw new IllegalArgumentException(xFile + " has shape " + java.util.Arrays.toString(x.shape())
                        + ": a dataset needs at least one row with at least one value");
            }
            if (y != null && y.rows() != x.rows()) {
                throw new IllegalArgumentException(xFile + " has " + x.rows() + " rows but " + yFile + " has "
                        + y.rows() + ": they must have one target per row");
            }
            this.count = x.rows();
        }
    }

    @Override
    public long rows() {
        return count;
    }

    @Override
    public RowCursor open() throws IOException {
        MappedNpy x = MappedNpy.open(xFile);
        MappedNpy y;
        try {
            y = yFile == null ? null : MappedNpy.open(yFile);
        } catch (IOException | RuntimeException e) {
            x.close();
            throw e;
        }
        if (x.rows() != count || (y != null && y.rows() != count)) {
            x.close();
            if (y != null) {
                y.close();
            }
            throw new IllegalStateException(xFile + " or " + yFile + " changed since the dataset was made: it had "
                    + count + " rows");
        }
        return new RowCursor() {
            private int next;

            @Override
            public int xWidth() {
                return x.rowWidth();
            }

            @Override
            public int yWidth() {
                return y == null ? 0 : y.rowWidth();
            }

            @Override
            public boolean next(float[] xs, int xAt, float[] ys, int yAt) {
                if (next == count) {
                    return false;
                }
                x.readRow(next, xs, xAt);
                if (y != null) {
                    y.readRow(next, ys, yAt);
                }
                next++;
                return true;
            }

            @Override
            public void close() {
                x.close();
                if (y != null) {
                    y.close();
                }
            }
        };
    }
}
