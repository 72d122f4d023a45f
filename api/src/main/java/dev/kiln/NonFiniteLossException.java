package dev.kiln;

/**
 * Training stopped because a batch went non-finite: its loss, one of its gradients, the optimizer update
 * it would make, or the batch statistics a BatchNormalization would move its moving statistics with. The
 * batch's update was not applied, so the model still holds the weights, optimizer state and
 * {@link Model#iterations()} from just before that batch: save them, lower the learning rate, or
 * fix the data, then call {@code fit} again.
 *
 * <pre>{@code
 * try {
 *     model.fit(x, y, epochs(10));
 * } catch (NonFiniteLossException e) {
 *     System.err.println(e.getMessage());   // "... epoch 3/10, batch 17/469 ..."
 *     List<float[]> lastGood = model.getWeights();
 * }
 * }</pre>
 */
public final class NonFiniteLossException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final double loss;

    NonFiniteLossException(String message, int epoch, int batch, double loss, Throwable cause) {
        super(message);
        initCause(cause);
        this.epoch = epoch;
        this.batch = batch;
        this.loss = loss;
    }

    /** The epoch that failed, counted from 0 as Keras' callbacks count it. */
    public int epoch() {
        return epoch;
    }

    /** The batch within that epoch that failed, counted from 0. */
    public int batch() {
        return batch;
    }

    /** That batch's mean loss: NaN, ±∞, or finite when only a gradient or an update overflowed. */
    public double loss() {
        return loss;
    }
}
