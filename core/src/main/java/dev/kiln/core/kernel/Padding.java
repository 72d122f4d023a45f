package dev.kiln.core.kernel;

/**
 * How a sliding window (a convolution kernel or a pooling window) meets the border of an image, with
 * Keras/TensorFlow semantics along each spatial axis of size {@code in}, window {@code k}, stride {@code s}.
 *
 * <pre>{@code
 * Window2d w = Window2d.of(13, 13, 3, 3, 2, 2, Padding.SAME);   // 7 × 7 outputs, padTop 1, padLeft 1
 * }</pre>
 */
public enum Padding {
    /** Only windows wholly inside the image: out = ⌊(in − k)/s⌋ + 1, no padding (needs k ≤ in). */
    VALID,
    /**
     * out = ⌈in/s⌉; the windows overhang by pad_total = max((out − 1)·s + k − in, 0) elements, pad_total/2
     * (rounded down) before the first element and the rest after the last. Padded positions read as zero
     * in a convolution and are left out of a pooling window.
     */
    SAME
}
