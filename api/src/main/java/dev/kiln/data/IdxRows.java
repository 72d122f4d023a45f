package dev.kiln.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rows of an IDX image file and its label file (MNIST, Fashion-MNIST), gzip-compressed or not, read as
 * streams: one image's bytes at a time, pixels scaled to [0, 1] as {@link IdxReader} scales them.
 */
final class IdxRows implements RowSource {
    private static final int IMAGE_DIMENSIONS = 3;
    private static final int LABEL_DIMENSIONS = 1;

    private final Path images;
    private final Path labels;
    private final int count;

    IdxRows(Path images, Path labels) throws IOException {
        this.images = images;
        this.labels = labels;
        try (Stream x = new Stream(images, IMAGE_DIMENSIONS); Stream y = new Stream(labels, LABEL_DIMENSIONS)) {
            if (x.header.count() != y.header.count()) {
                throw new IdxFormatException(images, "holds " + x.header.count() + " items but " + labels
                        + " holds " + y.header.count() + "; the two files must describe the same items");
            }
            this.count = x.header.count();
        }
    }

    @Override
    public long rows() {
        return count;
    }

    @Override
    public RowCursor open() throws IOException {
        Stream x = new Stream(images, IMAGE_DIMENSIONS);
        Stream y;
        try {
            y = new Stream(labels, LABEL_DIMENSIONS);
        } catch (IOException | RuntimeException e) {
            x.close();
            throw e;
        }
        int pixels = x.header.itemBytes();
        byte[] image = new byte[pixels];
        byte[] label = new byte[1];
        return new RowCursor() {
            private int next;

            @Override
            public int xWidth() {
                return pixels;
            }

            @Override
            public int yWidth() {
                return 1;
            }

            @Override
            public boolean next(float[] xs, int xAt, float[] ys, int yAt) throws IOException {
                if (next == count) {
                    return false;
                }
                x.readFully(image, next);
                for (int p = 0; p < pixels; p++) {
                    xs[xAt + p] = Byte.toUnsignedInt(image[p]) / 255f;
                }
                y.readFully(label, next);
                ys[yAt] = Byte.toUnsignedInt(label[0]);
                next++;
                return true;
            }

            @Override
            public void close() throws IOException {
                try (x; y) {
                    // closes both, even when the first close throws
                }
            }
        };
    }

    /** One open IDX file positioned after its checked header. */
    private static final class Stream implements AutoCloseable {
        final Path file;
        final DataInputStream in;
        final IdxHeader header;

        Stream(Path file, int dimensions) throws IOException {
            this.file = file;
            InputStream raw = Files.newInputStream(file);
            try {
                this.in = new DataInputStream(IdxReader.decompressed(raw, IdxReader.hasGzipMagic(file), file));
                this.header = IdxHeader.read(in, file, dimensions);
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }

        void readFully(byte[] buffer, int item) throws IOException {
            int length = buffer.length;
            int n;
            try {
                n = in.readNBytes(buffer, 0, length);
            } catch (EOFException e) {
                throw new IdxFormatException(file, "truncated in item " + item + " of " + header.count(), e);
            }
            if (n < length) {
                throw new IdxFormatException(file, "truncated in item " + item + " of " + header.count());
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
