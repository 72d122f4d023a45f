package dev.kiln.callbacks;

import java.util.Map;
import java.util.function.Consumer;

/**
 * A callback made of lambdas, as Keras' {@code LambdaCallback}: give only the hooks you need.
 *
 * <pre>{@code
 * var printer = LambdaCallback.builder()
 *         .onEpochEnd((epoch, logs) -> System.out.println(epoch + " " + logs.get("loss")))
 *         .onTrainEnd(logs -> System.out.println("done"))
 *         .build();
 * model.fit(x, y, epochs(5), callbacks(printer));
 * }</pre>
 */
public final class LambdaCallback implements Callback {
    /** A hook with an epoch or batch number. */
    @FunctionalInterface
    public interface IndexedHook {
        void call(int index, Map<String, Double> logs);
    }

    private static final IndexedHook NO_INDEXED = (i, logs) -> { };
    private static final Consumer<Map<String, Double>> NO_HOOK = logs -> { };

    private final Consumer<Map<String, Double>> trainBegin;
    private final Consumer<Map<String, Double>> trainEnd;
    private final IndexedHook epochBegin;
    private final IndexedHook epochEnd;
    private final IndexedHook batchBegin;
    private final IndexedHook batchEnd;

    private LambdaCallback(Builder b) {
        trainBegin = b.trainBegin;
        trainEnd = b.trainEnd;
        epochBegin = b.epochBegin;
        epochEnd = b.epochEnd;
        batchBegin = b.batchBegin;
        batchEnd = b.batchEnd;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        trainBegin.accept(logs);
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        trainEnd.accept(logs);
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        epochBegin.call(epoch, logs);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        epochEnd.call(epoch, logs);
    }

    @Override
    public void onBatchBegin(int batch, Map<String, Double> logs) {
        batchBegin.call(batch, logs);
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        batchEnd.call(batch, logs);
    }

    /** Collects the hooks; each one not given does nothing. */
    public static final class Builder {
        private Consumer<Map<String, Double>> trainBegin = NO_HOOK;
        private Consumer<Map<String, Double>> trainEnd = NO_HOOK;
        private IndexedHook epochBegin = NO_INDEXED;
        private IndexedHook epochEnd = NO_INDEXED;
        private IndexedHook batchBegin = NO_INDEXED;
        private IndexedHook batchEnd = NO_INDEXED;

        private Builder() {
        }

        public Builder onTrainBegin(Consumer<Map<String, Double>> hook) {
            trainBegin = require(hook);
            return this;
        }

        public Builder onTrainEnd(Consumer<Map<String, Double>> hook) {
            trainEnd = require(hook);
            return this;
        }

        public Builder onEpochBegin(IndexedHook hook) {
            epochBegin = require(hook);
            return this;
        }

        public Builder onEpochEnd(IndexedHook hook) {
            epochEnd = require(hook);
            return this;
        }

        public Builder onBatchBegin(IndexedHook hook) {
            batchBegin = require(hook);
            return this;
        }

        public Builder onBatchEnd(IndexedHook hook) {
            batchEnd = require(hook);
            return this;
        }

        public LambdaCallback build() {
            return new LambdaCallback(this);
        }

        private static <T> T require(T hook) {
            if (hook == null) {
                throw new IllegalArgumentException("a LambdaCallback hook is null");
            }
            return hook;
        }
    }
}
