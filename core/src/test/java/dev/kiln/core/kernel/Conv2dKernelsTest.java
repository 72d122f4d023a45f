package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.assertBitIdentical;
import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The convolution kernels against {@link ConvReference} (double accumulation) on odd shapes, and bit for
 * bit across splits into 1, 2 and 3 parts run in reverse order, into outputs and scratch full of garbage.
 * The shapes cover odd H, W, Cin and F; 1×1 kernels; kernels larger than the stride; strides 2 and 3 and
 * mixed; both paddings; a kernel larger than the image (SAME); a single output row; F narrower than one
 * vector, between one and two, and past several panels; K past one k-block; more pixels than one row block
 * (forward and dW) and several column blocks (dX); F past one k-block of dX; and for the kernel gradient
 * both of its forms (F &lt; K and F ≥ K), F past one row block of the transposed form and a dWᵀ wider than
 * one pass.
 */
class Conv2dKernelsTest {
    private static final ConvReference[] CASES = {
        new ConvReference(2, 7, 9, 3, 3, 3, 5, 1, 1, Padding.VALID),
        new ConvReference(2, 7, 9, 3, 3, 3, 5, 1, 1, Padding.SAME),
        new ConvReference(1, 9, 8, 5, 3, 3, 17, 2, 2, Padding.SAME),
        new ConvReference(2, 10, 11, 4, 3, 2, 33, 3, 3, Padding.VALID),
        new ConvReference(2, 10, 11, 4, 3, 2, 33, 3, 3, Padding.SAME),
        new ConvReference(3, 5, 6, 7, 1, 1, 10, 1, 1, Padding.VALID),
        new ConvReference(2, 6, 7, 3, 1, 1, 32, 2, 2, Padding.SAME),
        new ConvReference(2, 5, 7, 2, 5, 3, 6, 2, 1, Padding.VALID),
        new ConvReference(1, 4, 4, 3, 5, 5, 9, 2, 2, Padding.SAME),
        new ConvReference(3, 13, 13, 40, 3, 3, 70, 1, 1, Padding.VALID),
        new ConvReference(4, 12, 12, 3, 3, 3, 7, 1, 1, Padding.SAME),
        new ConvReference(1, 5, 5, 3, 3, 3, 300, 1, 1, Padding.SAME),
        new ConvReference(1, 4, 4, 60, 3, 3, 500, 1, 1, Padding.SAME),
        new ConvReference(1, 3, 3, 150, 3, 3, 200, 2, 2, Padding.SAME),
    };
    private static final Activation[] ACTIVATIONS =
            Arrays.stream(Activation.values()).filter(Activation::isElementwise).toArray(Activation[]::new);

    @Test
    void forwardMatchesTheReferenceAndEverySplitGivesTheSameBits() {
        for (int c = 0; c < CASES.length; c++) {
            ConvReference ref = CASES[c];
            Activation act = ACTIVATIONS[c % ACTIVATIONS.length];
            checkForward(ref, act, c % 2 == 0, c % 3 != 0, 100 + c);
        }
    }

    @Test
    void everyActivationFusesWithAndWithoutBiasAndPreActivation() {
        ConvReference ref = new ConvReference(2, 6, 5, 3, 3, 3, 35, 2, 1, Padding.SAME);
        for (Activation act : ACTIVATIONS) {
            for (boolean bias : new boolean[] {false, true}) {
                for (boolean pre : new boolean[] {false, true}) {
                    checkForward(ref, act, bias, pre, act.ordinal() * 4L + (bias ? 2 : 0) + (pre ? 1 : 0));
                }
            }
        }
    }

    @Test
    void weightAndBiasGradientsMatchTheReferenceAndEverySplitGivesTheSameBits() {
        for (int c = 0; c < CASES.length; c++) {
            checkWeightGradient(CASES[c], 200 + c);
        }
    }

    @Test
    void inputGradientMatchesTheReferenceAndEverySplitGivesTheSameBits() {
        for (int c = 0; c < CASES.length; c++) {
            checkInputGradient(CASES[c], 300 + c);
        }
    }

    @Test
    void zeroImagesGiveZeroGradients() {
        ConvReference ref = new ConvReference(0, 5, 5, 2, 3, 3, 4, 1, 1, Padding.SAME);
        Conv2dShape s = ref.shape();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dw = uniform(arena, new Random(1), (long) s.patch() * s.filters(), -1f, 1f);
            MemorySegment db = uniform(arena, new Random(2), s.filters(), -1f, 1f);
            float[] scratch = new float[Conv2dKernels.scratchFloats(s)];
            Conv2dKernels.weightGradient(zeros(arena, 1), zeros(arena, 1), s, 0, 0, s.patch(), dw, db, scratch,
                    zeros(arena, Conv2dKernels.bufferFloats(s)));
            assertBitIdentical(zeros(arena, (long) s.patch() * s.filters()), dw, "dW of no images");
            assertBitIdentical(zeros(arena, s.filters()), db, "db of no images");
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Conv2dShape.of(4, 4, 1, 5, 3, 2, 1, 1, Padding.VALID));
        assertThrows(IllegalArgumentException.class, () -> Conv2dShape.of(4, 4, 1, 3, 3, 2, 0, 1, Padding.SAME));
        assertThrows(IllegalArgumentException.class, () -> Conv2dShape.of(4, 4, 0, 3, 3, 2, 1, 1, Padding.SAME));
        assertThrows(IllegalArgumentException.class, () -> Conv2dShape.of(4, 4, 1, 3, 3, 2, 1, 1, null));
        Conv2dShape s = Conv2dShape.of(4, 4, 1, 3, 3, 2, 1, 1, Padding.SAME);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = zeros(arena, 64);
            float[] packed = new float[Conv2dKernels.packedWeightFloats(s)];
            float[] scratch = new float[Conv2dKernels.scratchFloats(s)];
            assertThrows(IllegalArgumentException.class,
                    () -> Conv2dKernels.forward(m, s, 0, 16, packed, null, null, m, Activation.SOFTMAX, scratch));
            assertThrows(IllegalArgumentException.class,
                    () -> Conv2dKernels.forward(m, s, 0, 16, packed, null, null, m, Activation.LINEAR, new float[8]));
            assertThrows(IllegalArgumentException.class,
                    () -> Conv2dKernels.forward(m, s, 5, 4, packed, null, null, m, Activation.LINEAR, scratch));
            MemorySegment buffer = zeros(arena, Conv2dKernels.bufferFloats(s));
            assertThrows(IllegalArgumentException.class,
                    () -> Conv2dKernels.weightGradient(m, m, s, 1, 0, 10, m, null, scratch, buffer));
            assertThrows(IllegalArgumentException.class,
                    () -> Conv2dKernels.weightGradient(m, m, s, 1, 0, 9, m, null, scratch, zeros(arena, 1)));
            assertThrows(IllegalArgumentException.class,
                    () -> Conv2dKernels.inputGradient(m, s, 0, 1, packed, m, scratch, zeros(arena, 1)));
        }
    }

    private static void checkForward(ConvReference ref, Activation act, boolean withBias, boolean withPre, long seed) {
        Conv2dShape s = ref.shape();
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment x = uniform(arena, random, (long) ref.n * ref.h * ref.w * ref.cin, -1f, 1f);
            MemorySegment w = uniform(arena, random, (long) ref.patch() * ref.f, -1f, 1f);
            MemorySegment b = withBias ? uniform(arena, random, ref.f, -1f, 1f) : null;
            float[] packed = new float[Conv2dKernels.packedWeightFloats(s)];
            for (int p = Conv2dKernels.weightPanels(s) - 1; p >= 0; p--) {
                Conv2dKernels.packWeights(w, s, p, packed);
            }
            long outFloats = (long) ref.pixels() * ref.f;
            MemorySegment y1 = null;
            MemorySegment pre1 = null;
            for (int parts = 1; parts <= 3; parts++) {
                MemorySegment y = uniform(arena, random, outFloats, -9f, 9f);
                MemorySegment pre = withPre ? uniform(arena, random, outFloats, -9f, 9f) : null;
                for (int part = parts - 1; part >= 0; part--) {
                    Conv2dKernels.forward(x, s, start(ref.pixels(), part, parts), start(ref.pixels(), part + 1, parts),
                            packed, b, pre, y, act, garbageScratch(s));
                }
                String what = ref + " " + act + " bias=" + withBias + " pre=" + withPre + " in " + parts + " parts";
                if (parts == 1) {
                    y1 = y;
                    pre1 = pre;
                    double[] abs = new double[(int) outFloats];
                    double[] z = ref.forward(x, w, b, abs);
                    for (int e = 0; e < outFloats; e++) {
                        double tolerance = 1e-6 * Math.sqrt(ref.patch()) * (abs[e] + 1e-3);
                        if (pre != null) {
                            expectClose(z[e], get(pre, e), tolerance, "z[" + e + "] of " + what);
                        }
                        double expected = act.value(z[e]);
                        expectClose(expected, get(y, e), 1.2 * tolerance + 2e-6 * (1 + Math.abs(expected)),
                                "y[" + e + "] of " + what);
                    }
                } else {
                    assertBitIdentical(y1, y, "y of " + what);
                    if (withPre) {
                        assertBitIdentical(pre1, pre, "z of " + what);
                    }
                }
            }
        }
    }

    private static void checkWeightGradient(ConvReference ref, long seed) {
        Conv2dShape s = ref.shape();
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment x = uniform(arena, random, (long) ref.n * ref.h * ref.w * ref.cin, -1f, 1f);
            MemorySegment dz = uniform(arena, random, (long) ref.pixels() * ref.f, -1f, 1f);
            int rows = ref.patch();
            MemorySegment dw1 = null;
            MemorySegment db1 = null;
            for (int parts = 1; parts <= 3; parts++) {
                MemorySegment dw = uniform(arena, random, (long) rows * ref.f, -9f, 9f);
                MemorySegment db = uniform(arena, random, ref.f, -9f, 9f);
                for (int part = parts - 1; part >= 0; part--) {
                    Conv2dKernels.weightGradient(x, dz, s, ref.n, start(rows, part, parts), start(rows, part + 1, parts),
                            dw, part == parts / 2 ? db : null, garbageScratch(s), garbageBuffer(arena, random, s));
                }
                String what = ref + " in " + parts + " parts";
                if (parts == 1) {
                    dw1 = dw;
                    db1 = db;
                    double[] abs = new double[rows * ref.f];
                    double[] expected = ref.weightGradient(x, dz, abs);
                    for (int e = 0; e < expected.length; e++) {
                        expectClose(expected[e], get(dw, e), 1e-6 * Math.sqrt(ref.pixels()) * (abs[e] + 1e-3),
                                "dW[" + e + "] of " + what);
                    }
                    double[] biasAbs = new double[ref.f];
                    double[] bias = ref.biasGradient(dz, biasAbs);
                    for (int j = 0; j < ref.f; j++) {
                        expectClose(bias[j], get(db, j), 1e-6 * Math.sqrt(ref.pixels()) * (biasAbs[j] + 1e-3),
                                "db[" + j + "] of " + what);
                    }
                } else {
                    assertBitIdentical(dw1, dw, "dW of " + what);
                    assertBitIdentical(db1, db, "db of " + what);
                }
            }
            // The form the shape does not choose, in two parts: the same bits.
            boolean other = !Conv2dKernels.transposesWeightGradient(s);
            MemorySegment dw = uniform(arena, random, (long) rows * ref.f, -9f, 9f);
            MemorySegment db = uniform(arena, random, ref.f, -9f, 9f);
            for (int part = 0; part < 2; part++) {
                Conv2dKernels.weightGradient(x, dz, s, ref.n, start(rows, part, 2), start(rows, part + 1, 2), dw,
                        part == 1 ? db : null, garbageScratch(s), garbageBuffer(arena, random, s), other);
            }
            assertBitIdentical(dw1, dw, "dW of " + ref + " transposed=" + other);
            assertBitIdentical(db1, db, "db of " + ref + " transposed=" + other);
        }
    }

    private static void checkInputGradient(ConvReference ref, long seed) {
        Conv2dShape s = ref.shape();
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment dz = uniform(arena, random, (long) ref.pixels() * ref.f, -1f, 1f);
            MemorySegment w = uniform(arena, random, (long) ref.patch() * ref.f, -1f, 1f);
            float[] packed = new float[Conv2dKernels.packedTransposedWeightFloats(s)];
            for (int p = 0; p < Conv2dKernels.transposedWeightPanels(s); p++) {
                Conv2dKernels.packTransposedWeights(w, s, p, packed);
            }
            long floats = (long) ref.n * ref.h * ref.w * ref.cin;
            MemorySegment dx1 = null;
            for (int parts = 1; parts <= 3; parts++) {
                MemorySegment dx = uniform(arena, random, floats, -9f, 9f);
                for (int part = parts - 1; part >= 0; part--) {
                    Conv2dKernels.inputGradient(dz, s, start(ref.n, part, parts), start(ref.n, part + 1, parts), packed,
                            dx, garbageScratch(s), garbageBuffer(arena, random, s));
                }
                String what = ref + " in " + parts + " parts";
                if (parts == 1) {
                    dx1 = dx;
                    double[] abs = new double[(int) floats];
                    double[] expected = ref.inputGradient(dz, w, abs);
                    double spread = Math.sqrt((double) ref.f * ref.kh * ref.kw);
                    for (int e = 0; e < floats; e++) {
                        expectClose(expected[e], get(dx, e), 1e-6 * spread * (abs[e] + 1e-3), "dX[" + e + "] of " + what);
                    }
                } else {
                    assertBitIdentical(dx1, dx, "dX of " + what);
                }
            }
        }
    }

    /** Part boundaries anywhere, not on tile multiples: correctness must not depend on the split. */
    static int start(int total, int part, int parts) {
        return (int) ((long) total * part / parts);
    }

    private static float[] garbageScratch(Conv2dShape s) {
        float[] scratch = new float[Conv2dKernels.scratchFloats(s)];
        Arrays.fill(scratch, Float.NaN);
        return scratch;
    }

    private static MemorySegment garbageBuffer(Arena arena, Random random, Conv2dShape s) {
        return uniform(arena, random, Conv2dKernels.bufferFloats(s), -9f, 9f);
    }

    private static void expectClose(double expected, float actual, double tolerance, String what) {
        if (!(Math.abs(actual - expected) <= tolerance)) {
            fail(what + ": expected " + expected + " ± " + tolerance + ", got " + actual);
        }
    }
}
