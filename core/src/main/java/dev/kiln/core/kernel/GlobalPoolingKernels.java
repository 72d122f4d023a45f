package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * GlobalAveragePooling2D and GlobalMaxPooling2D: [n][H][W][C] → [n][C], forward and backward. Each is the
 * pooling of {@link PoolingKernels} with one window covering the whole image, and runs on the same loops.
 * The average sums the H·W positions row by row and divides by H·W; the max records, per output, the index
 * (h·W + w)·C + c of the first maximum within its image, and its backward sends the whole gradient there.
 *
 * <p><b>Split unit: images</b>, any range, forward and backward; each output belongs to one image, so
 * any split gives the same bits.
 *
 * <pre>{@code
 * GlobalPoolingKernels.averageForward(x, 5, 5, 64, 0, batch, y);          // y: [batch][64]
 * GlobalPoolingKernels.averageBackward(dy, 5, 5, 64, 0, batch, dx);
 * }</pre>
 */
public final class GlobalPoolingKernels {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();

    private GlobalPoolingKernels() {
    }

    /** y[n][c] = the mean of x[n][·][·][c] for the images [imageFrom, imageTo). */
    public static void averageForward(MemorySegment x, int height, int width, int channels, int imageFrom,
            int imageTo, MemorySegment y) {
        long imageFloats = check(height, width, channels, imageFrom, imageTo);
        for (int n = imageFrom; n < imageTo; n++) {
            PoolingKernels.averageWindow(x, n * imageFloats, width, channels, 0, height, 0, width, y,
                    (long) n * channels);
        }
    }

    /** dx[n][h][w][c] = dy[n][c] / (H·W) for the images [imageFrom, imageTo) (overwrites them). */
    public static void averageBackward(MemorySegment dy, int height, int width, int channels, int imageFrom,
            int imageTo, MemorySegment dx) {
        long imageFloats = check(height, width, channels, imageFrom, imageTo);
        float count = (float) height * width;
        int pixels = height * width;
        for (int n = imageFrom; n < imageTo; n++) {
            long row = (long) n * channels;
            int c = 0;
            for (; c + L <= channels; c += L) {
                FloatVector g = FloatVector.fromMemorySegment(S, dy, (row + c) * Float.BYTES, ORDER).div(count);
                long o = (n * imageFloats + c) * Float.BYTES;
                for (int p = 0; p < pixels; p++, o += (long) channels * Float.BYTES) {
                    g.intoMemorySegment(dx, o, ORDER);
                }
            }
            for (; c < channels; c++) {
                float g = dy.getAtIndex(JAVA_FLOAT, row + c) / count;
                long e = n * imageFloats + c;
                for (int p = 0; p < pixels; p++, e += channels) {
                    dx.setAtIndex(JAVA_FLOAT, e, g);
                }
            }
        }
    }

    /**
     * y[n][c] = the largest of x[n][·][·][c] and argmax[n][c] (int32) the index of its first occurrence within
     * the image, for the images [imageFrom, imageTo).
     */
    public static void maxForward(MemorySegment x, int height, int width, int channels, int imageFrom, int imageTo,
            MemorySegment y, MemorySegment argmax) {
        long imageFloats = check(height, width, channels, imageFrom, imageTo);
        for (int n = imageFrom; n < imageTo; n++) {
            PoolingKernels.maxWindow(x, n * imageFloats, width, channels, 0, height, 0, width, y, (long) n * channels,
                    argmax);
        }
    }

    /** Overwrites the images [imageFrom, imageTo) of dx with zeros except dy[n][c] at argmax[n][c]. */
    public static void maxBackward(MemorySegment dy, MemorySegment argmax, int height, int width, int channels,
            int imageFrom, int imageTo, MemorySegment dx) {
        long imageFloats = check(height, width, channels, imageFrom, imageTo);
        PoolingKernels.scatter(dy, argmax, channels, imageFloats, imageFrom, imageTo, dx);
    }

    /** The floats of one image, after checking the sizes and the range. */
    private static long check(int height, int width, int channels, int imageFrom, int imageTo) {
        if (height < 1 || width < 1 || channels < 1 || (long) height * width * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an image of " + height + "×" + width + "×" + channels
                    + " is invalid; expected sizes of at least 1 and at most " + Integer.MAX_VALUE + " floats");
        }
        PoolingKernels.checkRange("image", imageFrom, imageTo);
        return (long) height * width * channels;
    }
}
