package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.FiniteScan;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Steps of the training program that stop it, before the optimizer update, when the batch went
 * non-finite. The loss is checked right after it is computed (one compare of a number the loss step
 * already summed) and the gradients right before the update (one vector pass over the parameters'
 * gradients, far cheaper than the GEMMs that produced them). Stopping there needs no copy of the
 * weights: the update that would have spoiled them never runs, so the model keeps the weights, the
 * optimizer slots and the step count it had before the batch. Nothing is allocated unless it fails.
 */
final class FiniteGuard {
    private FiniteGuard() {
    }

    /** Throws {@link NonFiniteStepException} when the loss the step just computed is NaN or infinite. */
    static Step loss(LossStep loss) {
        return rows -> {
            double sum = loss.lossSum();
            if (!Double.isFinite(sum)) {
                throw new NonFiniteStepException(sum, null);
            }
        };
    }

    /** Throws {@link NonFiniteStepException} when any gradient element is NaN or infinite. */
    static Step gradients(List<Parameter> parameters, DoubleSupplier lossSum, KernelPool pool) {
        return new GradientScan(parameters.toArray(Parameter[]::new), lossSum, pool);
    }

    /**
     * The gradient check, split across the pool: the parameters' gradients are read as one run of
     * elements and each part scans its share. It reads as much memory as the update that follows, so
     * on one thread it cost about a tenth of that update at batch 32 while the other threads waited.
     */
    private static final class GradientScan implements Step, ParallelBody {
        /** Below this many floats (64 KiB) per part a second thread costs more to wake than it saves. */
        private static final long MIN_PER_PART = 16_384;

        private final Parameter[] parameters;
        private final DoubleSupplier lossSum;
        private final KernelPool pool;
        private final long total;
        private volatile boolean nonFinite;

        GradientScan(Parameter[] parameters, DoubleSupplier lossSum, KernelPool pool) {
            this.parameters = parameters;
            this.lossSum = lossSum;
            this.pool = pool;
            long sum = 0;
            for (Parameter p : parameters) {
                sum += p.size();
            }
            this.total = sum;
        }

        @Override
        public void run(int rows) {
            nonFinite = false;
            pool.run(this, (int) Math.max(1, Math.min(pool.threads(), total / MIN_PER_PART)));
            if (nonFinite) {
                for (Parameter p : parameters) { // only on failure: name the first parameter at fault
                    if (!FiniteScan.allFinite(p.gradient, 0, p.size())) {
                        throw new NonFiniteStepException(lossSum.getAsDouble(), p.name());
                    }
                }
            }
        }

        /** Scans elements [start, end) of the parameters' gradients taken one after another. */
        @Override
        public void run(int part, int parts) {
            long start = total * part / parts;
            long end = total * (part + 1) / parts;
            long first = 0;
            for (Parameter p : parameters) {
                long from = Math.max(start, first);
                long to = Math.min(end, first + p.size());
                if (from < to && !FiniteScan.allFinite(p.gradient, from - first, to - first)) {
                    nonFinite = true;
                    return;
                }
                first += p.size();
            }
        }
    }
}
