package dev.kiln.core.kernel;

/**
 * Where a sliding window lies over an H × W image, for each output position: the geometry convolution and
 * pooling share. Output (oh, ow) reads the input rows oh·strideHeight − padTop + 0..windowHeight−1 and the
 * columns ow·strideWidth − padLeft + 0..windowWidth−1; those outside the image are padding.
 *
 * <p>Immutable; make one when a layer is compiled and pass it to every call (the kernels allocate nothing).
 *
 * <pre>{@code
 * Window2d pool = Window2d.of(11, 11, 2, 2, 2, 2, Padding.VALID);   // MaxPooling2D((2, 2)) on 11×11
 * assert pool.outHeight() == 5 && pool.outWidth() == 5;
 * }</pre>
 */
public final class Window2d {
    private final int height;
    private final int width;
    private final int windowHeight;
    private final int windowWidth;
    private final int strideHeight;
    private final int strideWidth;
    private final Padding padding;
    private final int outHeight;
    private final int outWidth;
    private final int padTop;
    private final int padLeft;

    private Window2d(int height, int width, int windowHeight, int windowWidth, int strideHeight, int strideWidth,
            Padding padding) {
        this.height = height;
        this.width = width;
        this.windowHeight = windowHeight;
        this.windowWidth = windowWidth;
        this.strideHeight = strideHeight;
        this.strideWidth = strideWidth;
        this.padding = padding;
        this.outHeight = outSize(height, windowHeight, strideHeight, padding);
        this.outWidth = outSize(width, windowWidth, strideWidth, padding);
        this.padTop = padBefore(height, windowHeight, strideHeight, outHeight, padding);
        this.padLeft = padBefore(width, windowWidth, strideWidth, outWidth, padding);
    }

    /**
     * The window of {@code windowHeight × windowWidth} moved by the given strides over an image of
     * {@code height × width}.
     *
     * @throws IllegalArgumentException if a size or stride is below 1, padding is null, or a VALID window
     *     is larger than the image (Keras refuses that layer too: it would have no output)
     */
    public static Window2d of(int height, int width, int windowHeight, int windowWidth, int strideHeight,
            int strideWidth, Padding padding) {
        positive("height", height);
        positive("width", width);
        positive("window height", windowHeight);
        positive("window width", windowWidth);
        positive("stride height", strideHeight);
        positive("stride width", strideWidth);
        if (padding == null) {
            throw new IllegalArgumentException("padding must be VALID or SAME, got null");
        }
        if (padding == Padding.VALID && (windowHeight > height || windowWidth > width)) {
            throw new IllegalArgumentException("a " + windowHeight + "×" + windowWidth + " window with VALID padding"
                    + " does not fit a " + height + "×" + width + " image; expected a window no larger than the image"
                    + " (or SAME padding)");
        }
        if ((long) height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an image of " + height + "×" + width + " positions is too large;"
                    + " expected at most " + Integer.MAX_VALUE);
        }
        return new Window2d(height, width, windowHeight, windowWidth, strideHeight, strideWidth, padding);
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
    }

    private static int outSize(int in, int k, int s, Padding padding) {
        return padding == Padding.SAME ? (in + s - 1) / s : (in - k) / s + 1;
    }

    private static int padBefore(int in, int k, int s, int out, Padding padding) {
        if (padding == Padding.VALID) {
            return 0;
        }
        long total = Math.max((long) (out - 1) * s + k - in, 0);
        return (int) (total / 2);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int windowHeight() {
        return windowHeight;
    }

    public int windowWidth() {
        return windowWidth;
    }

    public int strideHeight() {
        return strideHeight;
    }

    public int strideWidth() {
        return strideWidth;
    }

    public Padding padding() {
        return padding;
    }

    public int outHeight() {
        return outHeight;
    }

    public int outWidth() {
        return outWidth;
    }

    /** Padded rows above the image (the rest of the padding, if any, is below it). */
    public int padTop() {
        return padTop;
    }

    /** Padded columns left of the image. */
    public int padLeft() {
        return padLeft;
    }

    /** Output positions per image, outHeight × outWidth. */
    public int outPixels() {
        return outHeight * outWidth;
    }

    /** Input positions per image, height × width. */
    public int inPixels() {
        return height * width;
    }

    @Override
    public String toString() {
        return height + "×" + width + " window " + windowHeight + "×" + windowWidth + " stride " + strideHeight + "×"
                + strideWidth + " " + padding + " → " + outHeight + "×" + outWidth;
    }
}
