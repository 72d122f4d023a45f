package dev.kiln.core.kernel;

/**
 * The shape of a 2-D convolution layer, channels last as in Keras: input images [H][W][Cin], kernel
 * [KH][KW][Cin][F], bias [F], output images [OH][OW][F]; dilation 1. The batch size is not part of it: the
 * kernels take it per call, so one shape serves the full batches and a short last one.
 *
 * <p>Seen as a matrix product, a batch of n images is the GEMM of the patch matrix [n·OH·OW × K] (one row per
 * output pixel, im2col) by the kernel [K × F], with K = KH·KW·Cin: the kernel's Keras layout already is that
 * row-major [K × F] matrix, patch column q = (kh·KW + kw)·Cin + ci.
 *
 * <pre>{@code
 * Conv2dShape conv = Conv2dShape.of(13, 13, 32, 3, 3, 64, 1, 1, Padding.VALID); // 11×11×64 out, K = 288
 * }</pre>
 */
public final class Conv2dShape {
    private final Window2d window;
    private final int inChannels;
    private final int filters;

    private Conv2dShape(Window2d window, int inChannels, int filters) {
        this.window = window;
        this.inChannels = inChannels;
        this.filters = filters;
    }

    /**
     * A convolution of a {@code kernelHeight × kernelWidth} kernel over {@code height × width × inChannels}
     * images into {@code filters} channels.
     *
     * @throws IllegalArgumentException if a size or stride is below 1, or an image, the kernel or its packed
     *     form would not fit a Java array
     */
    public static Conv2dShape of(int height, int width, int inChannels, int kernelHeight, int kernelWidth,
            int filters, int strideHeight, int strideWidth, Padding padding) {
        Window2d window = Window2d.of(height, width, kernelHeight, kernelWidth, strideHeight, strideWidth, padding);
        if (inChannels < 1 || filters < 1) {
            throw new IllegalArgumentException("input channels and filters must be at least 1, got " + inChannels
                    + " and " + filters);
        }
        long image = (long) height * width * inChannels;
        long outImage = (long) window.outPixels() * filters;
        long patch = (long) kernelHeight * kernelWidth * inChannels;
        if (image > Integer.MAX_VALUE || outImage > Integer.MAX_VALUE || patch * filters > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("convolution " + height + "×" + width + "×" + inChannels + " by "
                    + kernelHeight + "×" + kernelWidth + "×" + filters + " is too large: an input image, an output"
                    + " image or the kernel would exceed " + Integer.MAX_VALUE + " floats");
        }
        Conv2dShape shape = new Conv2dShape(window, inChannels, filters);
        PackedGemm.packedFloats(shape.patch(), filters); // refuses a kernel whose packed form would not fit an array
        PackedGemm.packedFloats(filters, shape.patch());
        return shape;
    }

    /** The window geometry: input size, kernel size, strides, padding, output size. */
    public Window2d window() {
        return window;
    }

    public int height() {
        return window.height();
    }

    public int width() {
        return window.width();
    }

    public int inChannels() {
        return inChannels;
    }

    public int kernelHeight() {
        return window.windowHeight();
    }

    public int kernelWidth() {
        return window.windowWidth();
    }

    public int filters() {
        return filters;
    }

    public int outHeight() {
        return window.outHeight();
    }

    public int outWidth() {
        return window.outWidth();
    }

    /** K = KH·KW·Cin: the length of one output pixel's patch, and the rows of the kernel seen as a matrix. */
    public int patch() {
        return window.windowHeight() * window.windowWidth() * inChannels;
    }

    /** Output pixels per image, OH·OW: the rows of the patch matrix one image contributes. */
    public int outPixels() {
        return window.outPixels();
    }

    /** Floats of one input image, H·W·Cin. */
    public int inputFloats() {
        return window.inPixels() * inChannels;
    }

    /** Floats of one output image, OH·OW·F. */
    public int outputFloats() {
        return window.outPixels() * filters;
    }

    @Override
    public String toString() {
        return "conv " + window + ", " + inChannels + " → " + filters + " channels";
    }
}
