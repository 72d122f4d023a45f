package dev.kiln.data;

/**
 * One batch from a user's generator: rows of inputs and, for training and evaluation, their targets
 * (one row of values per input row; class indices as one-value rows, or use {@link #of(float[][], int[])}).
 * Every batch of a generator has the same row widths; the number of rows may differ.
 *
 * <pre>{@code
 * Iterable<Batch> batches = () -> new Iterator<>() { ... next() { return Batch.of(xRows, labels); } };
 * model.fit(Dataset.fromBatches(batches), epochs(3));
 * }</pre>
 *
 * @param x rows of input features, at least one
 * @param y target rows, as many as {@code x} has, or null when the batch is only for predict
 */
public record Batch(float[][] x, float[][] y) {
    public Batch {
        if (x == null || x.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one row of x, got "
                    + (x == null ? "null" : "none"));
        }
        if (y != null && y.length != x.length) {
            throw new IllegalArgumentException("a batch has " + x.length + " rows of x but " + y.length
                    + " rows of y: they must have one target per row");
        }
    }

    /** A batch whose targets are class indices. */
    public static Batch of(float[][] x, int[] labels) {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null; use new Batch(x, null) for predict");
        }
        float[][] y = new float[labels.length][];
        for (int i = 0; i < labels.length; i++) {
            y[i] = new float[] {labels[i]};
        }
        return new Batch(x, y);
    }

    /** A batch with targets given as rows (one-hot, probabilities or values to regress). */
    public static Batch of(float[][] x, float[][] y) {
        return new Batch(x, y);
    }

    /** A batch of inputs alone, for predict. */
    public static Batch of(float[][] x) {
        return new Batch(x, null);
    }
}
