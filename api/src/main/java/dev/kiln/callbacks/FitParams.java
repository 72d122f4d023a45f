package dev.kiln.callbacks;

/**
 * The shape of one {@code fit} run, as Keras passes it to {@code set_params}: the epoch count
 * (epoch numbers run from {@code initialEpoch} to {@code epochs − 1}), the steps (batches) per epoch (0 when
 * unknown: a generator's dataset fitted without stepsPerEpoch)
 * and the verbosity.
 *
 * <pre>{@code
 * public void setParams(FitParams p) { total = p.steps() * (p.epochs() - p.initialEpoch()); }
 * }</pre>
 */
public record FitParams(int epochs, int steps, int verbose, int initialEpoch) {
}
