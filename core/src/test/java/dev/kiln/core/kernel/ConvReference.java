package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;

/**
 * Plain loops in double for the convolution tests: the Keras/TensorFlow geometry worked out from its
 * formulas (not from {@link Window2d}), and the direct convolution, its kernel, bias and input gradients.
 */
final class ConvReference {
    final int n;
    final int h;
    final int w;
    final int cin;
    final int kh;
    final int kw;
    final int f;
    final int sh;
    final int sw;
    final Padding padding;
    final int oh;
    final int ow;
    final int padTop;
    final int padLeft;

    ConvReference(int n, int h, int w, int cin, int kh, int kw, int f, int sh, int sw, Padding padding) {
        this.n = n;
        this.h = h;
        this.w = w;
        this.cin = cin;
        this.kh = kh;
        this.kw = kw;
        this.f = f;
        this.sh = sh;
        this.sw = sw;
        this.padding = padding;
        this.oh = out(h, kh, sh, padding);
        this.ow = out(w, kw, sw, padding);
        this.padTop = padBefore(h, kh, sh, oh, padding);
        this.padLeft = padBefore(w, kw, sw, ow, padding);
    }

    static int out(int in, int k, int s, Padding p) {
        return p == Padding.SAME ? (int) Math.ceil((double) in / s) : (int) Math.floor((double) (in - k) / s) + 1;
    }

    static int padBefore(int in, int k, int s, int out, Padding p) {
        return p == Padding.VALID ? 0 : Math.max((out - 1) * s + k - in, 0) / 2;
    }

    Conv2dShape shape() {
        Conv2dShape s = Conv2dShape.of(h, w, cin, kh, kw, f, sh, sw, padding);
        assertEquals(oh, s.outHeight(), "out height of " + this);
        assertEquals(ow, s.outWidth(), "out width of " + this);
        assertEquals(padTop, s.window().padTop(), "pad top of " + this);
        assertEquals(padLeft, s.window().padLeft(), "pad left of " + this);
        return s;
    }

    int patch() {
        return kh * kw * cin;
    }

    int pixels() {
        return n * oh * ow;
    }

    /** x index of patch element q of output pixel r, or −1 where it is padding. */
    long source(int r, int q) {
        int image = r / (oh * ow);
        int y = r % (oh * ow) / ow;
        int x = r % ow;
        int ci = q % cin;
        int tap = q / cin;
        int ih = y * sh - padTop + tap / kw;
        int iw = x * sw - padLeft + tap % kw;
        if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
            return -1;
        }
        return (((long) image * h + ih) * w + iw) * cin + ci;
    }

    /** z[r·f + j] = Σ_q patch(r, q)·W[q, j] + b[j]; absSums the same sum of magnitudes, for tolerances. */
    double[] forward(MemorySegment x, MemorySegment wt, MemorySegment b, double[] absSums) {
        double[] z = new double[pixels() * f];
        for (int r = 0; r < pixels(); r++) {
            for (int j = 0; j < f; j++) {
                double sum = b == null ? 0 : b.getAtIndex(JAVA_FLOAT, j);
                double abs = Math.abs(sum);
                for (int q = 0; q < patch(); q++) {
                    long s = source(r, q);
                    if (s >= 0) {
                        double t = (double) x.getAtIndex(JAVA_FLOAT, s) * wt.getAtIndex(JAVA_FLOAT, (long) q * f + j);
                        sum += t;
                        abs += Math.abs(t);
                    }
                }
                z[r * f + j] = sum;
                absSums[r * f + j] = abs;
            }
        }
        return z;
    }

    /** dW[q·f + j] = Σ_r patch(r, q)·dZ[r, j]. */
    double[] weightGradient(MemorySegment x, MemorySegment dz, double[] absSums) {
        double[] dw = new double[patch() * f];
        for (int q = 0; q < patch(); q++) {
            for (int r = 0; r < pixels(); r++) {
                long s = source(r, q);
                if (s < 0) {
                    continue;
                }
                for (int j = 0; j < f; j++) {
                    double t = (double) x.getAtIndex(JAVA_FLOAT, s) * dz.getAtIndex(JAVA_FLOAT, (long) r * f + j);
                    dw[q * f + j] += t;
                    absSums[q * f + j] += Math.abs(t);
                }
            }
        }
        return dw;
    }

    double[] biasGradient(MemorySegment dz, double[] absSums) {
        double[] db = new double[f];
        for (int r = 0; r < pixels(); r++) {
            for (int j = 0; j < f; j++) {
                double v = dz.getAtIndex(JAVA_FLOAT, (long) r * f + j);
                db[j] += v;
                absSums[j] += Math.abs(v);
            }
        }
        return db;
    }

    /** dX[source(r, q)] += Σ_j dZ[r, j]·W[q, j]. */
    double[] inputGradient(MemorySegment dz, MemorySegment wt, double[] absSums) {
        double[] dx = new double[n * h * w * cin];
        for (int r = 0; r < pixels(); r++) {
            for (int q = 0; q < patch(); q++) {
                long s = source(r, q);
                if (s < 0) {
                    continue;
                }
                for (int j = 0; j < f; j++) {
                    double t = (double) dz.getAtIndex(JAVA_FLOAT, (long) r * f + j)
                            * wt.getAtIndex(JAVA_FLOAT, (long) q * f + j);
                    dx[(int) s] += t;
                    absSums[(int) s] += Math.abs(t);
                }
            }
        }
        return dx;
    }

    @Override
    public String toString() {
        return n + "×" + h + "×" + w + "×" + cin + " * " + kh + "×" + kw + "→" + f + " stride " + sh + "×" + sw + " "
                + padding;
    }
}
