package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MaxPooling2D and AveragePooling2D over NHWC images, forward and backward, with Keras/TensorFlow
 * semantics: the window and strides of a {@link Window2d} (Keras' strides default to the pool size: pass
 * them so), VALID or SAME padding, and padded positions never take part: a max is over the in-bounds
 * elements only (padding never wins), and with SAME padding an average divides by the number of in-bounds
 * elements of its window, as TensorFlow does. Channels are independent; each loop runs over them in
 * vectors, then one by one for the last few.
 *
 * <p><b>Split units.</b> Forward: output pixels r = (n·OH + oh)·OW + ow, any range; each output element
 * depends on its own window only. Backward: images, any range; windows of one image overlap when the stride
 * is smaller than the pool, so all of an image's dX belongs to one part, which zeroes it and adds the
 * outputs' gradients in output order. The results are bit-identical for any split.
 *
 * <p>Max pooling records, for each output element, where its maximum came from: the index of the input
 * element within its image, (ih·W + iw)·C + c, of the <em>first</em> maximum in the window scanned row by row
 * (later equal values do not replace it); the backward pass sends the whole gradient there.
 *
 * <pre>{@code
 * Window2d pool = Window2d.of(11, 11, 2, 2, 2, 2, Padding.VALID);        // MaxPooling2D((2, 2)) on 11×11×64
 * int pixels = batch * pool.outPixels();
 * PoolingKernels.maxForward(x, pool, 64, 0, pixels, y, argmax);         // argmax: one int per element of y
 * PoolingKernels.maxBackward(dy, argmax, pool, 64, 0, batch, dx);
 * }</pre>
 */
public final class PoolingKernels {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    /** Ints in vectors as long as the float vectors, so a float compare's mask selects the same lanes. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());

    private PoolingKernels() {
    }

    /**
     * For the output pixels [pixelFrom, pixelTo) and every channel: y = the largest in-bounds element of the
     * window, argmax = its index within the image. x is [n][H][W][C]; y and argmax (int32) [n][OH][OW][C].
     */
    public static void maxForward(MemorySegment x, Window2d window, int channels, int pixelFrom, int pixelTo,
            MemorySegment y, MemorySegment argmax) {
        checkChannels(window, channels);
        checkRange("pixel", pixelFrom, pixelTo);
        Windows w = new Windows(window, pixelFrom);
        for (int r = pixelFrom; r < pixelTo; r++, w.next()) {
            long imageBase = (long) w.image * window.inPixels() * channels;
            maxWindow(x, imageBase, window.width(), channels, w.ih0, w.ih1, w.iw0, w.iw1, y, (long) r * channels,
                    argmax);
        }
    }

    /**
     * Zeros the images [imageFrom, imageTo) of dx [n][H][W][C], then adds each element of dy to the element its
     * maximum came from (argmax, as {@link #maxForward} wrote it), in output order.
     */
    public static void maxBackward(MemorySegment dy, MemorySegment argmax, Window2d window, int channels,
            int imageFrom, int imageTo, MemorySegment dx) {
        checkChannels(window, channels);
        checkRange("image", imageFrom, imageTo);
        scatter(dy, argmax, (long) window.outPixels() * channels, (long) window.inPixels() * channels, imageFrom,
                imageTo, dx);
    }

    /**
     * For the output pixels [pixelFrom, pixelTo) and every channel: y = the sum of the window's in-bounds
     * elements, row by row, divided by their number. x is [n][H][W][C], y [n][OH][OW][C].
     */
    public static void averageForward(MemorySegment x, Window2d window, int channels, int pixelFrom, int pixelTo,
            MemorySegment y) {
        checkChannels(window, channels);
        checkRange("pixel", pixelFrom, pixelTo);
        Windows w = new Windows(window, pixelFrom);
        for (int r = pixelFrom; r < pixelTo; r++, w.next()) {
            long imageBase = (long) w.image * window.inPixels() * channels;
            averageWindow(x, imageBase, window.width(), channels, w.ih0, w.ih1, w.iw0, w.iw1, y, (long) r * channels);
        }
    }

    /**
     * Zeros the images [imageFrom, imageTo) of dx, then adds to every in-bounds element of each output's window
     * dy / (the window's in-bounds count), outputs in order.
     */
    public static void averageBackward(MemorySegment dy, Window2d window, int channels, int imageFrom, int imageTo,
            MemorySegment dx) {
        checkChannels(window, channels);
        checkRange("image", imageFrom, imageTo);
        long imageFloats = (long) window.inPixels() * channels;
        Conv2dKernels.zero(dx, imageFrom * imageFloats, (imageTo - imageFrom) * imageFloats);
        int pixelFrom = Math.multiplyExact(imageFrom, window.outPixels());
        int pixelTo = Math.multiplyExact(imageTo, window.outPixels());
        Windows w = new Windows(window, pixelFrom);
        for (int r = pixelFrom; r < pixelTo; r++, w.next()) {
            long imageBase = w.image * imageFloats;
            spreadAverage(dy, (long) r * channels, window.width(), channels, w.ih0, w.ih1, w.iw0, w.iw1, dx, imageBase);
        }
    }

    /**
     * y[yAt + c] = max over rows [ih0, ih1) × columns [iw0, iw1) of one image (at imageBase, W = width) and
     * argmax[yAt + c] the image index of the first maximum. Shared with {@link GlobalPoolingKernels}.
     */
    static void maxWindow(MemorySegment x, long imageBase, int width, int channels, int ih0, int ih1, int iw0,
            int iw1, MemorySegment y, long yAt, MemorySegment argmax) {
        int first = (ih0 * width + iw0) * channels;
        int c = 0;
        for (; c + L <= channels; c += L) {
            FloatVector best = FloatVector.fromMemorySegment(S, x, (imageBase + first + c) * Float.BYTES, ORDER);
            IntVector at = IntVector.broadcast(I, first);
            for (int ih = ih0; ih < ih1; ih++) {
                int position = (ih * width + iw0) * channels;
                for (int iw = iw0; iw < iw1; iw++, position += channels) {
                    FloatVector v = FloatVector.fromMemorySegment(S, x, (imageBase + position + c) * Float.BYTES, ORDER);
                    VectorMask<Float> greater = v.compare(VectorOperators.GT, best);
                    best = best.blend(v, greater);
                    at = at.blend(position, greater.cast(I));
                }
            }
            best.intoMemorySegment(y, (yAt + c) * Float.BYTES, ORDER);
            at.add(c).addIndex(1).intoMemorySegment(argmax, (yAt + c) * Integer.BYTES, ORDER);
        }
        for (; c < channels; c++) {
            float best = x.getAtIndex(JAVA_FLOAT, imageBase + first + c);
            int at = first;
            for (int ih = ih0; ih < ih1; ih++) {
                int position = (ih * width + iw0) * channels;
                for (int iw = iw0; iw < iw1; iw++, position += channels) {
                    float v = x.getAtIndex(JAVA_FLOAT, imageBase + position + c);
                    if (v > best) {
                        best = v;
                        at = position;
                    }
                }
            }
            y.setAtIndex(JAVA_FLOAT, yAt + c, best);
            argmax.setAtIndex(JAVA_INT, yAt + c, at + c);
        }
    }

    /** y[yAt + c] = (the sum of the window, row by row) / (its element count). Shared with GlobalPoolingKernels. */
    static void averageWindow(MemorySegment x, long imageBase, int width, int channels, int ih0, int ih1, int iw0,
            int iw1, MemorySegment y, long yAt) {
        float count = (float) (ih1 - ih0) * (iw1 - iw0);
        int c = 0;
        for (; c + L <= channels; c += L) {
            FloatVector sum = FloatVector.zero(S);
            for (int ih = ih0; ih < ih1; ih++) {
                long o = (imageBase + (long) (ih * width + iw0) * channels + c) * Float.BYTES;
                for (int iw = iw0; iw < iw1; iw++, o += (long) channels * Float.BYTES) {
                    sum = sum.add(FloatVector.fromMemorySegment(S, x, o, ORDER));
                }
            }
            sum.div(count).intoMemorySegment(y, (yAt + c) * Float.BYTES, ORDER);
        }
        for (; c < channels; c++) {
            float sum = 0f;
            for (int ih = ih0; ih < ih1; ih++) {
                long e = imageBase + (long) (ih * width + iw0) * channels + c;
                for (int iw = iw0; iw < iw1; iw++, e += channels) {
                    sum += x.getAtIndex(JAVA_FLOAT, e);
                }
            }
            y.setAtIndex(JAVA_FLOAT, yAt + c, sum / count);
        }
    }

    /** dx[imageBase + window element + c] += dy[dyAt + c] / count, for every in-bounds element of the window. */
    private static void spreadAverage(MemorySegment dy, long dyAt, int width, int channels, int ih0, int ih1, int iw0,
            int iw1, MemorySegment dx, long imageBase) {
        float count = (float) (ih1 - ih0) * (iw1 - iw0);
        int c = 0;
        for (; c + L <= channels; c += L) {
            FloatVector g = FloatVector.fromMemorySegment(S, dy, (dyAt + c) * Float.BYTES, ORDER).div(count);
            for (int ih = ih0; ih < ih1; ih++) {
                long o = (imageBase + (long) (ih * width + iw0) * channels + c) * Float.BYTES;
                for (int iw = iw0; iw < iw1; iw++, o += (long) channels * Float.BYTES) {
                    FloatVector.fromMemorySegment(S, dx, o, ORDER).add(g).intoMemorySegment(dx, o, ORDER);
                }
            }
        }
        for (; c < channels; c++) {
            float g = dy.getAtIndex(JAVA_FLOAT, dyAt + c) / count;
            for (int ih = ih0; ih < ih1; ih++) {
                long e = imageBase + (long) (ih * width + iw0) * channels + c;
                for (int iw = iw0; iw < iw1; iw++, e += channels) {
                    dx.setAtIndex(JAVA_FLOAT, e, dx.getAtIndex(JAVA_FLOAT, e) + g);
                }
            }
        }
    }

    /**
     * Zeros images [imageFrom, imageTo) of dx (imageFloats each), then dx[image + argmax[e]] += dy[e] for the
     * outputElements elements of each of those images, in order. Shared with GlobalPoolingKernels.
     */
    static void scatter(MemorySegment dy, MemorySegment argmax, long outputElements, long imageFloats, int imageFrom,
            int imageTo, MemorySegment dx) {
        Conv2dKernels.zero(dx, imageFrom * imageFloats, (imageTo - imageFrom) * imageFloats);
        for (long n = imageFrom; n < imageTo; n++) {
            long imageBase = n * imageFloats;
            for (long e = n * outputElements; e < (n + 1) * outputElements; e++) {
                long target = imageBase + argmax.getAtIndex(JAVA_INT, e);
                dx.setAtIndex(JAVA_FLOAT, target, dx.getAtIndex(JAVA_FLOAT, target) + dy.getAtIndex(JAVA_FLOAT, e));
            }
        }
    }

    static void checkRange(String what, int from, int to) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(what + " range [" + from + ", " + to + ") is invalid; expected"
                    + " 0 <= from <= to");
        }
    }

    private static void checkChannels(Window2d window, int channels) {
        if (channels < 1 || (long) window.inPixels() * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("channels must be at least 1 and an image of " + window.inPixels()
                    + " positions × channels must fit an int index, got " + channels + " channels");
        }
    }

    /**
     * Walks the output pixels in order from a starting one, keeping each window's in-bounds rows [ih0, ih1)
     * and columns [iw0, iw1). A mutable cursor made per call: C2 keeps it in registers (it never escapes).
     */
    private static final class Windows {
        private final Window2d window;
        int image;
        int oh;
        int ow;
        int ih0;
        int ih1;
        int iw0;
        int iw1;

        Windows(Window2d window, int pixel) {
            this.window = window;
            this.image = pixel / window.outPixels();
            this.oh = pixel % window.outPixels() / window.outWidth();
            this.ow = pixel % window.outWidth();
            rows();
            columns();
        }

        void next() {
            if (++ow == window.outWidth()) {
                ow = 0;
                if (++oh == window.outHeight()) {
                    oh = 0;
                    image++;
                }
                rows();
            }
            columns();
        }

        private void rows() {
            int top = oh * window.strideHeight() - window.padTop();
            ih0 = Math.max(0, top);
            ih1 = Math.min(window.height(), top + window.windowHeight());
        }

        private void columns() {
            int left = ow * window.strideWidth() - window.padLeft();
            iw0 = Math.max(0, left);
            iw1 = Math.min(window.width(), left + window.windowWidth());
        }
    }
}
