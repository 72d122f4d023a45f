package dev.kiln.core.runtime;

/**
 * State that a training step moves besides the optimizer's weights, such as batch normalization's
 * moving statistics. The op computes what it needs in its forward step; the training program asks
 * {@link #firstNonFinite()} together with the optimizer's check and calls {@link #apply()} only after
 * the update, so a refused step moves no state at all.
 */
public interface StateUpdate {
    /** Null when applying would leave every value finite, else the name of the state that would not. */
    public String firstNonFinite();

    /** Moves the state; runs once per training step that passed every check. */
    public void apply();
}
