package dev.kiln.metrics;

import dev.kiln.core.runtime.ColumnMoments;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.Loss;

/**
 * Keras' {@code R2Score}, the coefficient of determination over the epoch: per output,
 * 1 − Σ (target − prediction)² / Σ (target − mean target)², from sums kept over every row of the epoch
 * (never a mean of per-batch scores). An output whose targets do not vary scores 0 when it has any error.
 * {@code classAggregation} combines the outputs: {@code "uniform_average"} (Keras' default, their mean) or
 * {@code "variance_weighted_average"} (weighted by each output's target variance). With
 * {@code numRegressors} p > 0 the score is adjusted: 1 − (1 − R²)(n − 1)/(n − p − 1), n counting every
 * target value as Keras does (left unadjusted when p ≥ n − 1, where Keras warns). Also by name:
 * {@code "r2_score"}.
 *
 * <pre>{@code
 * model.compile("adam", "mse", new R2Score());
 * model.compile("adam", "mse", new R2Score("variance_weighted_average", 0));
 * }</pre>
 */
public final class R2Score extends Metric {
    private final String classAggregation;
    private final int numRegressors;

    /** Keras' defaults: uniform_average, no regressors, named {@code r2_score}. */
    public R2Score() {
        this("uniform_average", 0);
    }

    public R2Score(String classAggregation, int numRegressors) {
        this("r2_score", classAggregation, numRegressors);
    }

    private R2Score(String name, String classAggregation, int numRegressors) {
        super(name);
        if (!"uniform_average".equals(classAggregation) && !"variance_weighted_average".equals(classAggregation)) {
            throw new IllegalArgumentException("R2Score classAggregation must be 'uniform_average' or"
                    + " 'variance_weighted_average', got " + (classAggregation == null ? "null (Keras' per-output"
                    + " scores; a Kiln metric is one number)" : "'" + classAggregation + "'"));
        }
        if (numRegressors < 0) {
            throw new IllegalArgumentException("R2Score numRegressors must be >= 0, got " + numRegressors);
        }
        this.classAggregation = classAggregation;
        this.numRegressors = numRegressors;
    }

    /** The same metric under another name, the key in History and evaluate's result. */
    public R2Score named(String name) {
        return new R2Score(name, classAggregation, numRegressors);
    }

    public String classAggregation() {
        return classAggregation;
    }

    public int numRegressors() {
        return numRegressors;
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return new ColumnMoments(outputWidth);
    }

    /** {@code sums}: per output Σ target, then Σ target², then Σ residual²; {@code count}: the rows. */
    @Override
    public double result(double[] sums, long count) {
        int outputs = sums.length / 3;
        double scoreSum = 0;
        double weightedSum = 0;
        double varianceSum = 0;
        for (int c = 0; c < outputs; c++) {
            double sum = sums[c];
            double total = sums[outputs + c] - sum * (sum / count);
            double score = 1 - sums[2 * outputs + c] / total;
            if (Double.isInfinite(score)) {
                score = 0;   // Keras' rule for targets that do not vary
            }
            scoreSum += score;
            weightedSum += total * score;
            varianceSum += total;
        }
        double r2 = classAggregation.equals("uniform_average") ? scoreSum / outputs : weightedSum / varianceSum;
        double n = (double) count * outputs;
        if (numRegressors == 0 || numRegressors >= n - 1) {
            return r2;
        }
        return 1 - (1 - r2) * (n - 1) / (n - numRegressors - 1);
    }

    @Override
    public String incompatibility(Loss loss) {
        return loss.sparseTargets() ? "metric '" + name() + "' needs targets as wide as the output but loss '"
                + loss.name() + "' takes class indices" : null;
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("class_aggregation", classAggregation);
        config.put("num_regressors", numRegressors);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof R2Score m && m.name().equals(name()) && m.classAggregation.equals(classAggregation)
                && m.numRegressors == numRegressors;
    }

    @Override
    public int hashCode() {
        return name().hashCode() * 31 + classAggregation.hashCode() + numRegressors;
    }

    /** Reads the metric back from its Keras config, with Keras' defaults for absent options. */
    public static R2Score fromConfig(ConfigReader config) throws ModelFormatException {
        String aggregation = config.has("class_aggregation") ? config.text("class_aggregation") : "uniform_average";
        int regressors = config.has("num_regressors")
                ? config.wholeNumber("num_regressors", 0, "a whole number >= 0") : 0;
        try {
            return new R2Score(config.text("name"), aggregation, regressors);
        } catch (IllegalArgumentException e) {
            throw config.fail(e.getMessage());
        }
    }
}
