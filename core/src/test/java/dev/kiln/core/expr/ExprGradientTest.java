package dev.kiln.core.expr;

import static dev.kiln.core.expr.Expr.OUTPUT;
import static dev.kiln.core.expr.Expr.TARGET;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of every op's gradient rule, and of composed losses, through
 * {@link ExprProgram} itself on odd widths (1, 3, 7 columns); and its values against plain scalar
 * references computed here in double.
 */
class ExprGradientTest {
    private static final int ROWS = 3;

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryOps(UnaryOp op) {
        // each op's domain: positive for sqrt and log, away from the kinks of abs and relu
        DoubleUnaryOperator draw = switch (op) {
            case SQRT, LOG -> u -> 0.2 + 2 * u;
            case LOG1P -> u -> -0.5 + 2 * u;
            case ABS, RELU -> u -> (u < 0.5 ? -1 : 1) * (0.1 + u);
            default -> u -> -2 + 4 * u;
        };
        for (int width : new int[] {1, 3, 7}) {
            Expr loss = Expr.reduce(RowReduction.SUM, Expr.binary(BinaryOp.MULTIPLY, TARGET, Expr.unary(op, OUTPUT)));
            assertGradient(loss, width, draw, op.name());
        }
    }

    @ParameterizedTest
    @EnumSource(value = BinaryOp.class, names = {"ADD", "SUBTRACT", "MULTIPLY", "DIVIDE", "POWER", "MAXIMUM",
            "MINIMUM"})
    void binaryOpsOnEitherSideAndBroadcast(BinaryOp op) {
        DoubleUnaryOperator positive = u -> 0.5 + 2 * u;
        Expr perRow = Expr.reduce(RowReduction.MEAN, OUTPUT);
        Expr[][] operands = {
            {OUTPUT, TARGET}, {TARGET, OUTPUT}, {OUTPUT, Expr.constant(1.3f)}, {Expr.constant(1.7f), OUTPUT},
            {OUTPUT, perRow}, {perRow, TARGET}, {OUTPUT, OUTPUT}};
        for (int width : new int[] {1, 3, 7}) {
            for (Expr[] ab : operands) {
                Expr loss = Expr.reduce(RowReduction.SUM, Expr.binary(op, ab[0], ab[1]));
                assertGradient(loss, width, positive, op + " " + ab[0] + ", " + ab[1]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RowReduction.class)
    void reductions(RowReduction reduction) {
        for (int width : new int[] {1, 3, 7}) {
            Expr loss = Expr.unary(UnaryOp.SQUARE, Expr.reduce(reduction, Expr.binary(BinaryOp.MULTIPLY, TARGET,
                    OUTPUT)));
            assertGradient(loss, width, u -> -2 + 4 * u, reduction.name());
        }
    }

    @Test
    void softmaxCrossEntropy() {
        for (int width : new int[] {1, 3, 7}) {
            Expr loss = Expr.unary(UnaryOp.NEGATIVE, Expr.reduce(RowReduction.SUM,
                    Expr.binary(BinaryOp.MULTIPLY, TARGET, Expr.unary(UnaryOp.LOG, Expr.softmax(OUTPUT)))));
            assertGradient(loss, width, u -> -3 + 6 * u, "softmax cross-entropy");
        }
    }

    @Test
    void whereAndComparisonsHuber() {
        Expr error = Expr.binary(BinaryOp.SUBTRACT, OUTPUT, TARGET);
        Expr small = Expr.binary(BinaryOp.LESS_EQUAL, Expr.unary(UnaryOp.ABS, error), Expr.constant(1f));
        Expr quadratic = Expr.binary(BinaryOp.MULTIPLY, Expr.constant(0.5f), Expr.unary(UnaryOp.SQUARE, error));
        Expr linear = Expr.binary(BinaryOp.SUBTRACT, Expr.unary(UnaryOp.ABS, error), Expr.constant(0.5f));
        Expr huber = Expr.reduce(RowReduction.MEAN, Expr.where(small, quadratic, linear));
        for (int width : new int[] {1, 3, 7}) {
            assertGradient(huber, width, u -> -3 + 6 * u, "huber");
        }
    }

    @Test
    void lossIsTheMeanOverTheRowWhenTheRootIsRowWide() {
        Expr squares = Expr.unary(UnaryOp.SQUARE, Expr.binary(BinaryOp.SUBTRACT, OUTPUT, TARGET));
        float[] out = {1, 2, 3, 4, 5, 6};
        float[] tgt = {0, 0, 1, 1, 2, 9};
        double expected = (1 + 4 + 4) / 3.0 + (9 + 9 + 9) / 3.0;
        assertEquals(expected, evaluate(new ExprProgram(squares), out, tgt, 3, 0, 2), 1e-9);
        Expr mean = Expr.reduce(RowReduction.MEAN, squares);
        assertEquals(expected, evaluate(new ExprProgram(mean), out, tgt, 3, 0, 2), 1e-6);
        // a range of rows gives those rows' own values
        assertEquals(9.0, evaluate(new ExprProgram(mean), out, tgt, 3, 1, 2), 1e-6);
    }

    @Test
    void comparisonsAndExpressionsWithoutTheOutputPassNoGradient() {
        for (BinaryOp op : EnumSet.of(BinaryOp.GREATER, BinaryOp.GREATER_EQUAL, BinaryOp.LESS, BinaryOp.LESS_EQUAL,
                BinaryOp.EQUAL)) {
            float[] gradient = gradient(new ExprProgram(Expr.reduce(RowReduction.SUM, Expr.binary(op, OUTPUT,
                    TARGET))), new float[] {1, 2, 3}, new float[] {2, 2, 2}, 3);
            assertEquals("[0.0, 0.0, 0.0]", Arrays.toString(gradient), op.name());
            assertEquals(switch (op) {
                case GREATER -> 1.0;
                case GREATER_EQUAL -> 2.0;
                case LESS -> 1.0;
                case LESS_EQUAL -> 2.0;
                default -> 1.0;
            }, evaluate(new ExprProgram(Expr.reduce(RowReduction.SUM, Expr.binary(op, OUTPUT, TARGET))),
                    new float[] {1, 2, 3}, new float[] {2, 2, 2}, 3, 0, 1), 0.0, op.name());
        }
        float[] gradient = gradient(new ExprProgram(Expr.unary(UnaryOp.SQUARE, TARGET)), new float[] {1, 2},
                new float[] {3, 4}, 2);
        assertEquals("[0.0, 0.0]", Arrays.toString(gradient));
    }

    @ParameterizedTest
    @ValueSource(strings = {"constant", "softmax of a reduction", "reduction of a constant"})
    void malformedExpressionsAreRefusedByName(String which) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            switch (which) {
                case "constant" -> new ExprProgram(Expr.constant(2f));
                case "softmax of a reduction" -> Expr.softmax(Expr.reduce(RowReduction.SUM, OUTPUT));
                default -> Expr.reduce(RowReduction.SUM, Expr.constant(1f));
            }
        });
        assertEquals(true, e.getMessage().contains(which.startsWith("softmax") ? "softmax" : "constant"),
                e.getMessage());
    }

    private static double evaluate(ExprProgram program, float[] out, float[] tgt, int width, int from, int to) {
        try (Arena arena = Arena.ofConfined()) {
            return program.sum(segment(arena, out), segment(arena, tgt), null, width, 1f, from, to);
        }
    }

    private static float[] gradient(ExprProgram program, float[] out, float[] tgt, int width) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment gradient = arena.allocate((long) out.length * Float.BYTES);
            gradient.fill((byte) 0x7f); // must be overwritten
            program.sum(segment(arena, out), segment(arena, tgt), gradient, width, 1f, 0, out.length / width);
            return gradient.toArray(JAVA_FLOAT);
        }
    }

    /** The analytic gradient (scaled by 1/rows, as a batch mean) against central differences of the sum. */
    private static void assertGradient(Expr loss, int width, DoubleUnaryOperator draw, String what) {
        Random random = new Random(31 * width + what.hashCode());
        float[] out = new float[ROWS * width];
        float[] tgt = new float[ROWS * width];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) draw.applyAsDouble(random.nextDouble());
            tgt[i] = (float) draw.applyAsDouble(random.nextDouble());
        }
        ExprProgram program = new ExprProgram(loss);
        float scale = 1f / ROWS;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment o = segment(arena, out);
            MemorySegment t = segment(arena, tgt);
            MemorySegment g = arena.allocate((long) out.length * Float.BYTES);
            program.sum(o, t, g, width, scale, 0, ROWS);
            float[] analytic = g.toArray(JAVA_FLOAT);
            double maxGrad = 0;
            for (float a : analytic) {
                maxGrad = Math.max(maxGrad, Math.abs(a));
            }
            double mid = program.sum(o, t, null, width, scale, 0, ROWS) * scale;
            int kinks = 0;
            for (int k = 0; k < out.length; k++) {
                float h = 3e-3f * Math.max(Math.abs(out[k]), 1f);
                if (draw.applyAsDouble(0) > 0 || what.equals("ABS") || what.equals("RELU")) {
                    h = Math.min(h, Math.abs(out[k]) * 0.05f);
                }
                float plus = out[k] + h;
                float minus = out[k] - h;
                o.setAtIndex(JAVA_FLOAT, k, plus);
                double up = program.sum(o, t, null, width, scale, 0, ROWS) * scale;
                o.setAtIndex(JAVA_FLOAT, k, minus);
                double down = program.sum(o, t, null, width, scale, 0, ROWS) * scale;
                o.setAtIndex(JAVA_FLOAT, k, out[k]);
                double forward = (up - mid) / ((double) plus - out[k]);
                double backward = (mid - down) / ((double) out[k] - minus);
                if (Math.abs(forward - backward) > 0.1 * (Math.abs(forward) + Math.abs(backward)) + 1e-3) {
                    kinks++; // a kink of max, min or where lies within the step: no derivative to compare
                    continue;
                }
                double numeric = (up - down) / ((double) plus - minus);
                // float values inside the expression give the differences an absolute noise of ~1e-5
                assertEquals(numeric, analytic[k], 5e-3 * Math.abs(numeric) + 1e-3 * maxGrad + 1e-4,
                        what + " width " + width + " element " + k);
            }
            assertEquals(true, kinks <= out.length / 4, what + ": " + kinks + " of " + out.length
                    + " elements sit at a kink");
        }
    }

    private static MemorySegment segment(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES);
        MemorySegment.copy(values, 0, s, JAVA_FLOAT, 0, values.length);
        return s;
    }
}
