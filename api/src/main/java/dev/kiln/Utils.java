package dev.kiln;

/**
 * Helpers Keras keeps in {@code keras.utils}. {@link #toCategorical} turns class numbers into one-hot
 * rows, the targets {@code categorical_crossentropy} wants (with class numbers as they are, use
 * {@code sparse_categorical_crossentropy} instead).
 *
 * <pre>{@code
 * float[][] yOneHot = Utils.toCategorical(new int[] {0, 2, 1});   // {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}}
 * model.fit(x, Utils.toCategorical(y, 10), epochs(5));
 * }</pre>
 */
public final class Utils {
    private Utils() {
    }

    /**
     * One row per label, {@code numClasses} wide, 1 at the label's column and 0 elsewhere (Keras'
     * {@code to_categorical(labels, num_classes)}).
     *
     * @throws IllegalArgumentException when {@code labels} is null, {@code numClasses} is not positive, or a
     *                                  label lies outside {@code 0 .. numClasses - 1} (named with its index)
     */
    public static float[][] toCategorical(int[] labels, int numClasses) {
        if (labels == null) {
            throw new IllegalArgumentException("labels is null; expected class numbers such as {0, 2, 1}");
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        float[][] out = new float[labels.length][numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + " but the classes are 0 to "
                        + (numClasses - 1) + " (numClasses " + numClasses + ")");
            }
            out[i][labels[i]] = 1f;
        }
        return out;
    }

    /**
     * {@link #toCategorical(int[], int)} with as many classes as the largest label plus one, as Keras does
     * when {@code num_classes} is not given.
     *
     * @throws IllegalArgumentException when {@code labels} is null or empty (there is no largest label), or
     *                                  holds a negative label
     */
    public static float[][] toCategorical(int[] labels) {
        if (labels == null || labels.length == 0) {
            throw new IllegalArgumentException("labels is " + (labels == null ? "null" : "empty")
                    + ": the number of classes cannot be told from it; pass numClasses");
        }
        int max = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + "; class numbers start at 0");
            }
            max = Math.max(max, labels[i]);
        }
        return toCategorical(labels, max + 1);
    }
}
