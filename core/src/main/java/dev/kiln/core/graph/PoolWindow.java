package dev.kiln.core.graph;

import dev.kiln.core.kernel.Padding;
import dev.kiln.core.kernel.Window2d;
import dev.kiln.core.memory.Shape;

/**
 * The window a pooling op slides over each channel of an image: its size, its strides and how it meets the
 * border ({@link Padding}).
 *
 * <pre>{@code
 * PoolWindow twoByTwo = new PoolWindow(2, 2, 2, 2, Padding.VALID);   // Keras' MaxPooling2D() default
 * }</pre>
 */
public record PoolWindow(int height, int width, int strideHeight, int strideWidth, Padding padding) {
    public PoolWindow {
        // Window2d checks the same, but only once an input shape is known; a bad window should fail when made.
        Window2d.of(Math.max(height, 1), Math.max(width, 1), height, width, strideHeight, strideWidth, padding);
    }

    /** The window over images of shape {@code input} ([height, width, channels]); {@code op} names the caller in errors. */
    Window2d over(String op, Shape input) {
        Images.require(op, input);
        try {
            return Window2d.of(input.dim(0), input.dim(1), height, width, strideHeight, strideWidth, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + " " + this + " cannot slide over images of shape " + input + ": "
                    + e.getMessage(), e);
        }
    }

    /** The output shape over {@code input}: the window's output size, the channels unchanged. */
    Shape outputShape(String op, Shape input) {
        Window2d w = over(op, input);
        return Shape.of(w.outHeight(), w.outWidth(), input.dim(2));
    }

    @Override
    public String toString() {
        return height + "×" + width + " stride " + strideHeight + "×" + strideWidth + " " + padding.name().toLowerCase(java.util.Locale.ROOT);
    }
}
