package dev.kiln.data;

import java.util.Objects;

/**
 * Images and their class labels, row i of {@code images} belonging to {@code labels[i]}. Each image is
 * flattened row-major with pixels scaled to [0, 1].
 *
 * <pre>{@code
 * LabeledImages test = IdxReader.readLabeled(dir.resolve("t10k-images-idx3-ubyte.gz"),
 *         dir.resolve("t10k-labels-idx1-ubyte.gz"), 10);
 * float[] first = test.images()[0];   // 784 values for a 28×28 image
 * }</pre>
 */
public record LabeledImages(float[][] images, int[] labels) {
    public LabeledImages {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (images.length != labels.length) {
            throw new IllegalArgumentException(
                    images.length + " images but " + labels.length + " labels; expected one label per image");
        }
    }

    public int size() {
        return labels.length;
    }
}
