package dev.kiln.losses;

import dev.kiln.core.runtime.KLDivergenceLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code KLDivergence}: Σ_k t_k·log(t_k/p_k) per row, averaged over the batch, with targets and
 * predictions clipped to [1e-7, 1] as Keras does; for rows that are probability distributions (a softmax
 * output against soft targets). Also by name: {@code "kl_divergence"} and {@code "kld"}.
 *
 * <pre>{@code
 * model.compile("adam", new KLDivergence());
 * }</pre>
 */
public record KLDivergence() implements Loss {
    @Override
    public String name() {
        return "kl_divergence";
    }

    @Override
    public LossFunction function() {
        return new KLDivergenceLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static KLDivergence fromConfig(ConfigReader config) {
        return new KLDivergence();
    }
}
