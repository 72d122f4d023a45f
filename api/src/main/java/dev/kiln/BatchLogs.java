package dev.kiln;

import java.util.AbstractMap;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The logs a batch hook sees: the running means of the epoch so far, read from the epoch's
 * {@link BatchTotals} when asked. One instance serves every batch of an epoch and computes nothing
 * until a callback reads it, so batches whose logs nobody reads (the progress bar reads one batch in
 * fifty milliseconds) cost no allocation. Read-only.
 */
final class BatchLogs extends AbstractMap<String, Double> {
    private final BatchTotals totals;

    BatchLogs(BatchTotals totals) {
        this.totals = totals;
    }

    @Override
    public Double get(Object key) {
        return key instanceof String name ? totals.mean(name) : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public Set<Entry<String, Double>> entrySet() {
        return new LinkedHashSet<>(totals.means("").entrySet());
    }
}
