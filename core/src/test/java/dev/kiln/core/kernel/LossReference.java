package dev.kiln.core.kernel;

/**
 * Plain scalar double forms of the loss formulas, one row at a time, for the kernel tests. Each
 * returns the row's loss and writes ∂loss/∂input (unscaled) and, where the loss has one, the
 * activation (σ or softmax) into the given arrays at {@code row·cols}.
 */
final class LossReference {
    static final double LOW = 1e-7f;
    static final double HIGH = 1f - 1e-7f;

    private LossReference() {
    }

    static double mse(float[] p, float[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double d = (double) p[j] - t[j];
            sum += d * d;
            grad[j] = 2 * d / cols;
        }
        return sum / cols;
    }

    static double mae(float[] p, float[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double d = (double) p[j] - t[j];
            sum += Math.abs(d);
            grad[j] = Math.signum(d) / cols;
        }
        return sum / cols;
    }

    /** Keras: ½e² where |e| ≤ δ, else δ|e| − ½δ²; gradient clamp(e, −δ, δ). */
    static double huber(float[] p, float[] t, double delta, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double e = (double) p[j] - t[j];
            sum += Math.abs(e) <= delta ? 0.5 * e * e : delta * Math.abs(e) - 0.5 * delta * delta;
            grad[j] = Math.max(-delta, Math.min(delta, e)) / cols;
        }
        return sum / cols;
    }

    /** Keras: 100·mean |t − p|/max(|t|, ε); gradient 100·sign(p − t)/max(|t|, ε). */
    static double mape(float[] p, float[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double d = (double) p[j] - t[j];
            double scale = Math.max(Math.abs((double) t[j]), LOW);
            sum += Math.abs(d) / scale;
            grad[j] = 100 * Math.signum(d) / scale / cols;
        }
        return 100 * sum / cols;
    }

    /** Keras: mean max(1 − t·p, 0) (squared: its square), t read as 2t − 1 when the row is all 0s and 1s. */
    static double hinge(float[] p, float[] t, boolean squared, int row, int cols, double[] grad) {
        boolean zeroOne = true;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            zeroOne &= t[j] == 0f || t[j] == 1f;
        }
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double y = zeroOne ? 2.0 * t[j] - 1 : t[j];
            double m = Math.max(1 - y * p[j], 0);
            sum += squared ? m * m : m;
            grad[j] = m > 0 ? (squared ? -2 * m * y : -y) / cols : 0;
        }
        return sum / cols;
    }

    /** Keras: max(max_k (1 − t_k)p_k − Σ t_k p_k + 1, 0); the max's gradient at its first position. */
    static double categoricalHinge(float[] p, float[] t, int row, int cols, double[] grad) {
        double pos = 0;
        double neg = Double.NEGATIVE_INFINITY;
        int at = -1;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            pos += (double) t[j] * p[j];
            double v = (1.0 - t[j]) * p[j];
            if (v > neg) {
                neg = v;
                at = j;
            }
        }
        double loss = Math.max(neg - pos + 1, 0);
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            grad[j] = loss > 0 ? -t[j] + (j == at ? 1.0 - t[j] : 0) : 0;
        }
        return loss;
    }

    /** Keras: Σ t·log(t/p), both clipped to [ε, 1]; no gradient where p lies outside. */
    static double klDivergence(float[] p, float[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double y = Math.min(Math.max(t[j], LOW), 1);
            double q = Math.min(Math.max(p[j], LOW), 1);
            sum += y * Math.log(y / q);
            grad[j] = p[j] >= LOW && p[j] <= 1 ? -y / q : 0;
        }
        return sum;
    }

    /** Keras: (log(max(p, ε) + 1) − log(max(t, ε) + 1))², no gradient below ε. */
    static double msle(float[] p, float[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double q = Math.max(p[j], LOW);
            double d = Math.log(q + 1) - Math.log(Math.max(t[j], LOW) + 1);
            sum += d * d;
            grad[j] = p[j] >= LOW ? 2 * d / (q + 1) / cols : 0;
        }
        return sum / cols;
    }

    /** log cosh e by its definition (fine for the moderate e the tests draw); gradient tanh e. */
    static double logCosh(float[] p, float[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double e = (double) p[j] - t[j];
            sum += Math.log(Math.cosh(e));
            grad[j] = Math.tanh(e) / cols;
        }
        return sum / cols;
    }

    /** Keras: p − t·log(p + ε); gradient 1 − t/(p + ε). */
    static double poisson(float[] p, float[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double shifted = (double) p[j] + LOW;
            sum += p[j] - t[j] * Math.log(shifted);
            grad[j] = (1 - t[j] / shifted) / cols;
        }
        return sum / cols;
    }

    /** Keras' label smoothing: each target t becomes t·(1 − ε) + ε/classes (classes 2 for binary). */
    static double[] smoothed(float[] t, float epsilon, int classes) {
        double[] out = new double[t.length];
        for (int k = 0; k < t.length; k++) {
            out[k] = t[k] * (1.0 - epsilon) + (double) epsilon / classes;
        }
        return out;
    }

    static double[] widened(float[] t) {
        return smoothed(t, 0f, 1);
    }

    static double bce(float[] p, float[] t, int row, int cols, double[] grad) {
        return bce(p, widened(t), row, cols, grad);
    }

    static double bce(float[] p, double[] t, int row, int cols, double[] grad) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double q = Math.min(Math.max(p[j], LOW), HIGH);
            sum -= t[j] * Math.log(q) + (1 - t[j]) * Math.log(1 - q);
            boolean inside = p[j] >= LOW && p[j] <= HIGH;
            grad[j] = inside ? (-t[j] / q + (1 - t[j]) / (1 - q)) / cols : 0;
        }
        return sum / cols;
    }

    static double sigmoidBce(float[] z, float[] t, int row, int cols, double[] grad, double[] prob) {
        return sigmoidBce(z, widened(t), row, cols, grad, prob);
    }

    static double sigmoidBce(float[] z, double[] t, int row, int cols, double[] grad, double[] prob) {
        double sum = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            double x = z[j];
            // log(1 + e^x) − x·t written for either sign without overflow.
            double softplus = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
            sum += softplus - x * t[j];
            double sigma = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            prob[j] = sigma;
            grad[j] = (sigma - t[j]) / cols;
        }
        return sum / cols;
    }

    /** Keras' probability form: normalise, clip, −Σ t·log q; gradient with respect to p. */
    static double cce(float[] p, float[] t, int row, int cols, double[] grad) {
        return cce(p, widened(t), row, cols, grad);
    }

    static double cce(float[] p, double[] t, int row, int cols, double[] grad) {
        int base = row * cols;
        double total = 0;
        for (int k = 0; k < cols; k++) {
            total += p[base + k];
        }
        double loss = 0;
        double[] dLdq = new double[cols];
        for (int k = 0; k < cols; k++) {
            double q = p[base + k] / total;
            boolean inside = q >= LOW && q <= HIGH;
            loss -= t[base + k] * Math.log(Math.min(Math.max(q, LOW), HIGH));
            dLdq[k] = inside ? -t[base + k] / q : 0;
        }
        // ∂q_k/∂p_j = δ_kj/S − p_k/S², applied as a full Jacobian product.
        for (int j = 0; j < cols; j++) {
            double g = 0;
            for (int k = 0; k < cols; k++) {
                double jac = ((k == j) ? 1 / total : 0) - p[base + k] / (total * total);
                g += dLdq[k] * jac;
            }
            grad[base + j] = g;
        }
        return loss;
    }

    static double softmaxCe(float[] z, float[] t, int row, int cols, double[] grad, double[] prob) {
        return softmaxCe(z, widened(t), row, cols, grad, prob);
    }

    static double softmaxCe(float[] z, double[] t, int row, int cols, double[] grad, double[] prob) {
        int base = row * cols;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < cols; k++) {
            max = Math.max(max, z[base + k]);
        }
        double sum = 0;
        for (int k = 0; k < cols; k++) {
            sum += Math.exp(z[base + k] - max);
        }
        double logSum = Math.log(sum);
        double loss = 0;
        double targetSum = 0;
        for (int k = 0; k < cols; k++) {
            loss -= t[base + k] * ((z[base + k] - max) - logSum);
            targetSum += t[base + k];
        }
        for (int k = 0; k < cols; k++) {
            prob[base + k] = Math.exp(z[base + k] - max) / sum;
            grad[base + k] = prob[base + k] * targetSum - t[base + k];
        }
        return loss;
    }
}
