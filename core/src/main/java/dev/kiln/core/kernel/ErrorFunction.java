package dev.kiln.core.kernel;

/**
 * The Gauss error function in double precision, as the scalar reference for GELU ({@link Math} has
 * no erf). Accurate to about 1e-13 (worst just below |x| = 3, where the series cancels most), far beyond what the float kernels it checks can reach.
 */
final class ErrorFunction {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    /** Below this the Maclaurin series is used; above it the continued fraction for erfc converges fast. */
    private static final double SERIES_LIMIT = 3.0;
    private static final int CONTINUED_FRACTION_TERMS = 200;

    private ErrorFunction() {
    }

    /** erf(x). */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        return ax < SERIES_LIMIT ? series(x) : Math.copySign(1.0 - tailErfc(ax), x);
    }

    /** erfc(x) = 1 − erf(x), without the cancellation of computing it that way for large x. */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x >= SERIES_LIMIT) {
            return tailErfc(x);
        }
        if (x <= -SERIES_LIMIT) {
            return 2.0 - tailErfc(-x);
        }
        return 1.0 - series(x);
    }

    /** erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n!·(2n+1)); for |x| < 3 the terms peak near 1e3, costing ~3 digits. */
    private static double series(double x) {
        double x2 = x * x;
        double power = x; // (−1)ⁿ x^(2n+1) / n!
        double sum = 0.0;
        for (int n = 0; n < 200; n++) {
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                break;
            }
            power *= -x2 / (n + 1);
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /**
     * erfc(x) for x ≥ 3 from the continued fraction
     * erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail inward.
     */
    private static double tailErfc(double x) {
        double t = x;
        for (int n = CONTINUED_FRACTION_TERMS; n >= 1; n--) {
            t = x + (n / 2.0) / t;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * t);
    }
}
