package dev.kiln.core.expr;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Expr} compiled once into a flat list of nodes, each with a value and a gradient buffer,
 * evaluated over a range of rows: forward in order, then (when a gradient is asked for) backward in
 * reverse order, each node adding its inputs' share by its op's derivative. The buffers grow to the
 * largest batch seen and are reused: after the first batch of the largest size an evaluation allocates
 * nothing. Not thread-safe: one program per compiled loss or metric.
 *
 * <pre>{@code
 * ExprProgram mse = new ExprProgram(Expr.reduce(RowReduction.MEAN, Expr.unary(UnaryOp.SQUARE,
 *         Expr.binary(BinaryOp.SUBTRACT, Expr.TARGET, Expr.OUTPUT))));
 * double sum = mse.sum(output, target, gradient, width, 1f / rows, 0, rows);
 * }</pre>
 */
public final class ExprProgram {
    private final Expr[] nodes;
    private final int[][] inputs;
    private final boolean[] needsGradient;
    private final float[][] values;
    private final float[][] gradients;
    private final int outputNode;
    private int capacity = -1;

    public ExprProgram(Expr root) {
        if (root.extent == Expr.Extent.SCALAR) {
            throw new IllegalArgumentException("the expression " + root + " is a constant; a loss or metric must "
                    + "depend on y_true or y_pred");
        }
        Map<Expr, Integer> index = new IdentityHashMap<>();
        List<Expr> order = new ArrayList<>();
        visit(root, index, order);
        nodes = order.toArray(Expr[]::new);
        inputs = new int[nodes.length][];
        needsGradient = new boolean[nodes.length];
        int output = -1;
        for (int n = 0; n < nodes.length; n++) {
            List<Expr> in = nodes[n].inputs;
            inputs[n] = new int[in.size()];
            needsGradient[n] = nodes[n].kind == Expr.Kind.OUTPUT;
            for (int i = 0; i < in.size(); i++) {
                inputs[n][i] = index.get(in.get(i));
                needsGradient[n] |= needsGradient[inputs[n][i]];
            }
            if (nodes[n].kind == Expr.Kind.OUTPUT) {
                output = n;
            }
        }
        outputNode = output;
        values = new float[nodes.length][];
        gradients = new float[nodes.length][];
    }

    private static void visit(Expr e, Map<Expr, Integer> index, List<Expr> order) {
        if (index.containsKey(e)) {
            return;
        }
        for (Expr input : e.inputs) {
            visit(input, index, order);
        }
        index.put(e, order.size());
        order.add(e);
    }

    /**
     * The sum of the per-sample values of rows [rowFrom, rowTo): the root's value for each row, or its mean
     * over the row when the root is as wide as the rows (what Keras' averaging over all elements gives).
     * When {@code gradient} is non-null its rows receive gradScale·∂value/∂output.
     */
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width,
            float gradScale, int rowFrom, int rowTo) {
        int rows = rowTo - rowFrom;
        ensureCapacity(rows * width);
        long offset = (long) rowFrom * width * Float.BYTES;
        for (int n = 0; n < nodes.length; n++) {
            forward(n, output, target, offset, rows, width);
        }
        int root = nodes.length - 1;
        double sum = 0;
        int rootColumns = columns(root, width);
        float[] y = values[root];
        for (int r = 0; r < rows; r++) {
            double row = 0;
            for (int j = 0; j < rootColumns; j++) {
                row += y[r * rootColumns + j];
            }
            sum += row / rootColumns;
        }
        if (gradient != null) {
            backward(rows, width, gradScale / rootColumns);
            long count = (long) rows * width;
            if (outputNode < 0) {
                gradient.asSlice(offset, count * Float.BYTES).fill((byte) 0);
            } else {
                MemorySegment.copy(gradients[outputNode], 0, gradient, JAVA_FLOAT, offset, (int) count);
            }
        }
        return sum;
    }

    private void ensureCapacity(int elements) {
        if (elements <= capacity) {
            return;
        }
        for (int n = 0; n < nodes.length; n++) {
            int size = nodes[n].extent == Expr.Extent.SCALAR ? 1 : elements;
            values[n] = new float[size];
            gradients[n] = needsGradient[n] ? new float[size] : null;
            if (nodes[n].kind == Expr.Kind.CONSTANT) {
                values[n][0] = nodes[n].constant;
            }
        }
        capacity = elements;
    }

    private int columns(int n, int width) {
        return nodes[n].extent == Expr.Extent.ELEMENT ? width : 1;
    }

    /** Where value (r, j) of node n lies in its buffer, broadcasting a smaller extent. */
    private static int at(Expr.Extent extent, int r, int j, int width) {
        return switch (extent) {
            case ELEMENT -> r * width + j;
            case PER_ROW -> r;
            case SCALAR -> 0;
        };
    }

    private void forward(int n, MemorySegment output, MemorySegment target, long offset, int rows, int width) {
        Expr e = nodes[n];
        float[] y = values[n];
        int columns = columns(n, width);
        switch (e.kind) {
            case TARGET -> MemorySegment.copy(target, JAVA_FLOAT, offset, y, 0, rows * width);
            case OUTPUT -> MemorySegment.copy(output, JAVA_FLOAT, offset, y, 0, rows * width);
            case CONSTANT -> {
            }
            case UNARY -> {
                float[] x = values[inputs[n][0]];
                for (int i = 0, count = rows * columns; i < count; i++) {
                    y[i] = e.unary.apply(x[i]);
                }
            }
            case BINARY -> {
                Expr.Extent ea = nodes[inputs[n][0]].extent;
                Expr.Extent eb = nodes[inputs[n][1]].extent;
                float[] a = values[inputs[n][0]];
                float[] b = values[inputs[n][1]];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < columns; j++) {
                        y[r * columns + j] = e.binary.apply(a[at(ea, r, j, width)], b[at(eb, r, j, width)]);
                    }
                }
            }
            case REDUCE -> reduceForward(e.reduction, values[inputs[n][0]], columns(inputs[n][0], width), y, rows);
            case SOFTMAX -> softmaxForward(values[inputs[n][0]], y, rows, width);
            case WHERE -> {
                Expr.Extent ec = nodes[inputs[n][0]].extent;
                Expr.Extent ea = nodes[inputs[n][1]].extent;
                Expr.Extent eb = nodes[inputs[n][2]].extent;
                float[] c = values[inputs[n][0]];
                float[] a = values[inputs[n][1]];
                float[] b = values[inputs[n][2]];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < columns; j++) {
                        y[r * columns + j] = c[at(ec, r, j, width)] != 0f ? a[at(ea, r, j, width)]
                                : b[at(eb, r, j, width)];
                    }
                }
            }
        }
    }

    private static void reduceForward(RowReduction reduction, float[] x, int columns, float[] y, int rows) {
        for (int r = 0; r < rows; r++) {
            int base = r * columns;
            if (reduction == RowReduction.MAX) {
                float max = x[base];
                for (int j = 1; j < columns; j++) {
                    max = Math.max(max, x[base + j]);
                }
                y[r] = max;
            } else {
                double sum = 0;
                for (int j = 0; j < columns; j++) {
                    sum += x[base + j];
                }
                y[r] = (float) (reduction == RowReduction.MEAN ? sum / columns : sum);
            }
        }
    }

    private static void softmaxForward(float[] x, float[] y, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < width; j++) {
                max = Math.max(max, x[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < width; j++) {
                float v = (float) Math.exp(x[base + j] - max);
                y[base + j] = v;
                sum += v;
            }
            float inverse = (float) (1.0 / sum);
            for (int j = 0; j < width; j++) {
                y[base + j] *= inverse;
            }
        }
    }

    private void backward(int rows, int width, float seed) {
        for (int n = 0; n < nodes.length; n++) {
            if (gradients[n] != null) {
                Arrays.fill(gradients[n], 0, nodes[n].extent == Expr.Extent.SCALAR ? 1 : rows * columns(n, width),
                        0f);
            }
        }
        int root = nodes.length - 1;
        if (gradients[root] == null) {
            return; // the expression does not read the output
        }
        Arrays.fill(gradients[root], 0, rows * columns(root, width), seed);
        for (int n = root; n >= 0; n--) {
            if (gradients[n] != null) {
                backwardOf(n, rows, width);
            }
        }
    }

    private void backwardOf(int n, int rows, int width) {
        Expr e = nodes[n];
        float[] g = gradients[n];
        float[] y = values[n];
        int columns = columns(n, width);
        switch (e.kind) {
            case TARGET, OUTPUT, CONSTANT -> {
            }
            case UNARY -> {
                float[] x = values[inputs[n][0]];
                float[] gx = gradients[inputs[n][0]];
                for (int i = 0, count = rows * columns; i < count; i++) {
                    gx[i] += g[i] * e.unary.derivative(x[i], y[i]);
                }
            }
            case BINARY -> {
                int ia = inputs[n][0];
                int ib = inputs[n][1];
                Expr.Extent ea = nodes[ia].extent;
                Expr.Extent eb = nodes[ib].extent;
                float[] a = values[ia];
                float[] b = values[ib];
                float[] ga = gradients[ia];
                float[] gb = gradients[ib];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < columns; j++) {
                        int k = r * columns + j;
                        int pa = at(ea, r, j, width);
                        int pb = at(eb, r, j, width);
                        if (ga != null && ea != Expr.Extent.SCALAR) {
                            ga[pa] += g[k] * e.binary.da(a[pa], b[pb], y[k]);
                        }
                        if (gb != null && eb != Expr.Extent.SCALAR) {
                            gb[pb] += g[k] * e.binary.db(a[pa], b[pb], y[k]);
                        }
                    }
                }
            }
            case REDUCE -> reduceBackward(e.reduction, values[inputs[n][0]], gradients[inputs[n][0]],
                    columns(inputs[n][0], width), y, g, rows);
            case SOFTMAX -> {
                float[] gx = gradients[inputs[n][0]];
                for (int r = 0; r < rows; r++) {
                    int base = r * width;
                    double dot = 0;
                    for (int j = 0; j < width; j++) {
                        dot += g[base + j] * y[base + j];
                    }
                    for (int j = 0; j < width; j++) {
                        gx[base + j] += y[base + j] * (float) (g[base + j] - dot);
                    }
                }
            }
            case WHERE -> {
                Expr.Extent ec = nodes[inputs[n][0]].extent;
                int ia = inputs[n][1];
                int ib = inputs[n][2];
                Expr.Extent ea = nodes[ia].extent;
                Expr.Extent eb = nodes[ib].extent;
                float[] c = values[inputs[n][0]];
                float[] ga = ea == Expr.Extent.SCALAR ? null : gradients[ia];
                float[] gb = eb == Expr.Extent.SCALAR ? null : gradients[ib];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < columns; j++) {
                        float gk = g[r * columns + j];
                        if (c[at(ec, r, j, width)] != 0f) {
                            if (ga != null) {
                                ga[at(ea, r, j, width)] += gk;
                            }
                        } else if (gb != null) {
                            gb[at(eb, r, j, width)] += gk;
                        }
                    }
                }
            }
        }
    }

    private static void reduceBackward(RowReduction reduction, float[] x, float[] gx, int columns, float[] y,
            float[] g, int rows) {
        for (int r = 0; r < rows; r++) {
            int base = r * columns;
            switch (reduction) {
                case SUM -> {
                    for (int j = 0; j < columns; j++) {
                        gx[base + j] += g[r];
                    }
                }
                case MEAN -> {
                    float share = g[r] / columns;
                    for (int j = 0; j < columns; j++) {
                        gx[base + j] += share;
                    }
                }
                case MAX -> {
                    int arg = 0;
                    while (arg < columns - 1 && x[base + arg] != y[r]) {
                        arg++;
                    }
                    gx[base + arg] += g[r];
                }
            }
        }
    }
}
