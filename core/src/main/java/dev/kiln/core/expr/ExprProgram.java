package dev.kiln.core.expr;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.core.runtime.Parameter;
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
 * <p>A layer's expression (one that reads {@link Expr#input} and weights) runs through {@link #forward}
 * and {@link #backward}: the gradient of its output comes in, the gradients of its input and of each
 * weight go out.
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
    private final int inputNode;
    /** The weight nodes, in the order of {@link #weights()}. */
    private final int[] weightNodes;
    private int capacityRows = -1;
    private int capacityWidth = -1;

    public ExprProgram(Expr root) {
        if (root.extent != Expr.Extent.ELEMENT && root.extent != Expr.Extent.PER_ROW) {
            throw new IllegalArgumentException("the expression " + root + " is " + (root.extent == Expr.Extent.SCALAR
                    ? "a constant" : "computed from weights alone") + "; it must depend on the batch's rows");
        }
        Map<Expr, Integer> index = new IdentityHashMap<>();
        List<Expr> order = new ArrayList<>();
        visit(root, index, order);
        nodes = order.toArray(Expr[]::new);
        inputs = new int[nodes.length][];
        needsGradient = new boolean[nodes.length];
        int output = -1;
        int input = -1;
        List<Integer> weightList = new ArrayList<>();
        for (int n = 0; n < nodes.length; n++) {
            List<Expr> in = nodes[n].inputs;
            inputs[n] = new int[in.size()];
            Expr.Kind kind = nodes[n].kind;
            needsGradient[n] = kind == Expr.Kind.OUTPUT || kind == Expr.Kind.INPUT || kind == Expr.Kind.WEIGHT;
            for (int i = 0; i < in.size(); i++) {
                inputs[n][i] = index.get(in.get(i));
                needsGradient[n] |= needsGradient[inputs[n][i]];
            }
            if (kind == Expr.Kind.OUTPUT) {
                output = n;
            } else if (kind == Expr.Kind.INPUT) {
                if (input >= 0) {
                    throw new IllegalArgumentException("the expression " + root + " reads two different inputs; a "
                            + "layer reads one");
                }
                input = n;
            } else if (kind == Expr.Kind.WEIGHT) {
                weightList.add(n);
            }
        }
        outputNode = output;
        inputNode = input;
        weightNodes = weightList.stream().mapToInt(Integer::intValue).toArray();
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
        ensureCapacity(rows, width);
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

    /** The weights the expression reads, each once. */
    public List<Parameter> weights() {
        List<Parameter> weights = new ArrayList<>();
        for (int n : weightNodes) {
            weights.add(nodes[n].weight);
        }
        return weights;
    }

    /**
     * Refuses an expression that cannot be a layer's: one that reads targets or a model output, or no input,
     * or ends in one value per row rather than rows of features.
     */
    public void forwardShapeCheck() {
        Expr root = nodes[nodes.length - 1];
        if (inputNode < 0 || outputNode >= 0 || hasTargets()) {
            throw new IllegalArgumentException("the layer's expression " + root + " must be computed from its "
                    + "inputs (and weights)");
        }
        if (root.extent != Expr.Extent.ELEMENT) {
            throw new IllegalArgumentException("the layer's expression " + root + " gives one value per sample; a "
                    + "layer returns rows of features");
        }
    }

    private boolean hasTargets() {
        for (Expr e : nodes) {
            if (e.kind == Expr.Kind.TARGET) {
                return true;
            }
        }
        return false;
    }

    /** Features of each input row of a layer's expression. */
    public int inputColumns() {
        return nodes[inputNode].columns;
    }

    /** Features of each output row of a layer's expression. */
    public int outputColumns() {
        return nodes[nodes.length - 1].extent == Expr.Extent.PER_ROW ? 1 : nodes[nodes.length - 1].columns;
    }

    /**
     * Evaluates a layer's expression on {@code rows} rows of {@code input} (rows of {@link Expr#input}'s
     * width) with the weights' current values, writing {@code rows} rows of {@link #outputColumns()} to
     * {@code output}. The values stay for a following {@link #backward}.
     */
    public void forward(MemorySegment input, MemorySegment output, int rows) {
        if (inputNode < 0) {
            throw new IllegalStateException("the expression reads no layer input");
        }
        ensureCapacity(rows, nodes[inputNode].columns);
        for (int n = 0; n < nodes.length; n++) {
            if (nodes[n].kind == Expr.Kind.INPUT) {
                MemorySegment.copy(input, JAVA_FLOAT, 0, values[n], 0, rows * nodes[n].columns);
            } else if (nodes[n].kind == Expr.Kind.WEIGHT) {
                MemorySegment.copy(nodes[n].weight.value(), JAVA_FLOAT, 0, values[n], 0, nodes[n].columns);
            } else {
                forward(n, null, null, 0, rows, 0);
            }
        }
        int root = nodes.length - 1;
        MemorySegment.copy(values[root], 0, output, JAVA_FLOAT, 0, rows * outputColumns());
    }

    /**
     * The gradients of the {@link #forward} just run: from {@code outputGradient} (its rows' ∂loss/∂output)
     * to {@code inputGradient} (skipped when null) and to {@code weightGradients[i]} for the i-th of
     * {@link #weights()} (skipped where null); each is overwritten, a weight's with its sum over the rows.
     */
    public void backward(MemorySegment outputGradient, MemorySegment inputGradient, MemorySegment[] weightGradients,
            int rows) {
        int root = nodes.length - 1;
        int width = nodes[inputNode].columns;
        zeroGradients(rows, width);
        MemorySegment.copy(outputGradient, JAVA_FLOAT, 0, gradients[root], 0, rows * outputColumns());
        for (int n = root; n >= 0; n--) {
            if (gradients[n] != null) {
                backwardOf(n, rows, width);
            }
        }
        if (inputGradient != null) {
            MemorySegment.copy(gradients[inputNode], 0, inputGradient, JAVA_FLOAT, 0, rows * width);
        }
        for (int i = 0; i < weightNodes.length; i++) {
            if (weightGradients[i] != null) {
                int n = weightNodes[i];
                MemorySegment.copy(gradients[n], 0, weightGradients[i], JAVA_FLOAT, 0, nodes[n].columns);
            }
        }
    }

    private void ensureCapacity(int rows, int width) {
        if (rows <= capacityRows && width == capacityWidth) {
            return;
        }
        for (int n = 0; n < nodes.length; n++) {
            int size = rowsOf(n, rows) * columns(n, width);
            values[n] = new float[size];
            gradients[n] = needsGradient[n] ? new float[size] : null;
            if (nodes[n].kind == Expr.Kind.CONSTANT) {
                values[n][0] = nodes[n].constant;
            }
        }
        capacityRows = rows;
        capacityWidth = width;
    }

    /** Values per row of node n; {@code width} is a loss's row width. */
    private int columns(int n, int width) {
        int columns = nodes[n].columns;
        return columns == Expr.ROW_WIDTH ? width : columns;
    }

    /** Rows of node n: one for constants and weights, which are the same for every row. */
    private int rowsOf(int n, int rows) {
        Expr.Extent extent = nodes[n].extent;
        return extent == Expr.Extent.ELEMENT || extent == Expr.Extent.PER_ROW ? rows : 1;
    }

    /** Where value (r, j) of node n lies in its buffer, broadcasting a smaller extent (or a single column). */
    private int at(int n, int r, int j, int width) {
        int columns = columns(n, width);
        int row = nodes[n].extent == Expr.Extent.ELEMENT || nodes[n].extent == Expr.Extent.PER_ROW ? r : 0;
        return row * columns + (columns == 1 ? 0 : j);
    }

    private void forward(int n, MemorySegment output, MemorySegment target, long offset, int rows, int width) {
        Expr e = nodes[n];
        float[] y = values[n];
        int columns = columns(n, width);
        int ownRows = rowsOf(n, rows);
        switch (e.kind) {
            case TARGET -> MemorySegment.copy(target, JAVA_FLOAT, offset, y, 0, rows * width);
            case OUTPUT -> MemorySegment.copy(output, JAVA_FLOAT, offset, y, 0, rows * width);
            case CONSTANT, INPUT, WEIGHT -> {
            }
            case MATMUL -> matmulForward(values[inputs[n][0]], values[inputs[n][1]], y, rows,
                    nodes[inputs[n][0]].columns, columns);
            case UNARY -> {
                float[] x = values[inputs[n][0]];
                for (int i = 0, count = ownRows * columns; i < count; i++) {
                    y[i] = e.unary.apply(x[i]);
                }
            }
            case BINARY -> {
                int ia = inputs[n][0];
                int ib = inputs[n][1];
                float[] a = values[ia];
                float[] b = values[ib];
                for (int r = 0; r < ownRows; r++) {
                    for (int j = 0; j < columns; j++) {
                        y[r * columns + j] = e.binary.apply(a[at(ia, r, j, width)], b[at(ib, r, j, width)]);
                    }
                }
            }
            case REDUCE -> reduceForward(e.reduction, values[inputs[n][0]], columns(inputs[n][0], width), y, rows);
            case SOFTMAX -> softmaxForward(values[inputs[n][0]], y, rows, columns);
            case WHERE -> {
                int ic = inputs[n][0];
                int ia = inputs[n][1];
                int ib = inputs[n][2];
                float[] c = values[ic];
                float[] a = values[ia];
                float[] b = values[ib];
                for (int r = 0; r < ownRows; r++) {
                    for (int j = 0; j < columns; j++) {
                        y[r * columns + j] = c[at(ic, r, j, width)] != 0f ? a[at(ia, r, j, width)]
                                : b[at(ib, r, j, width)];
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

    /** y = x·W for rows of x with {@code in} features and W of shape [in, units], summed in double. */
    private static void matmulForward(float[] x, float[] w, float[] y, int rows, int in, int units) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < units; j++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += x[r * in + i] * w[i * units + j];
                }
                y[r * units + j] = (float) sum;
            }
        }
    }

    private void zeroGradients(int rows, int width) {
        for (int n = 0; n < nodes.length; n++) {
            if (gradients[n] != null) {
                Arrays.fill(gradients[n], 0, rowsOf(n, rows) * columns(n, width), 0f);
            }
        }
    }

    private void backward(int rows, int width, float seed) {
        zeroGradients(rows, width);
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
        int ownRows = rowsOf(n, rows);
        switch (e.kind) {
            case TARGET, OUTPUT, CONSTANT, INPUT, WEIGHT -> {
            }
            case MATMUL -> matmulBackward(values[inputs[n][0]], values[inputs[n][1]], g, gradients[inputs[n][0]],
                    gradients[inputs[n][1]], rows, nodes[inputs[n][0]].columns, columns);
            case UNARY -> {
                float[] x = values[inputs[n][0]];
                float[] gx = gradients[inputs[n][0]];
                for (int i = 0, count = ownRows * columns; i < count; i++) {
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
                for (int r = 0; r < ownRows; r++) {
                    for (int j = 0; j < columns; j++) {
                        int k = r * columns + j;
                        int pa = at(ia, r, j, width);
                        int pb = at(ib, r, j, width);
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
                    int base = r * columns;
                    double dot = 0;
                    for (int j = 0; j < columns; j++) {
                        dot += g[base + j] * y[base + j];
                    }
                    for (int j = 0; j < columns; j++) {
                        gx[base + j] += y[base + j] * (float) (g[base + j] - dot);
                    }
                }
            }
            case WHERE -> {
                int ic = inputs[n][0];
                int ia = inputs[n][1];
                int ib = inputs[n][2];
                float[] c = values[ic];
                float[] ga = nodes[ia].extent == Expr.Extent.SCALAR ? null : gradients[ia];
                float[] gb = nodes[ib].extent == Expr.Extent.SCALAR ? null : gradients[ib];
                for (int r = 0; r < ownRows; r++) {
                    for (int j = 0; j < columns; j++) {
                        float gk = g[r * columns + j];
                        if (c[at(ic, r, j, width)] != 0f) {
                            if (ga != null) {
                                ga[at(ia, r, j, width)] += gk;
                            }
                        } else if (gb != null) {
                            gb[at(ib, r, j, width)] += gk;
                        }
                    }
                }
            }
        }
    }

    /** dX += dY·Wᵀ and dW += Xᵀ·dY (either skipped when null), summed in double in a fixed order. */
    private static void matmulBackward(float[] x, float[] w, float[] g, float[] gx, float[] gw, int rows, int in,
            int units) {
        if (gx != null) {
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    for (int j = 0; j < units; j++) {
                        sum += g[r * units + j] * w[i * units + j];
                    }
                    gx[r * in + i] += (float) sum;
                }
            }
        }
        if (gw != null) {
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < units; j++) {
                    double sum = 0;
                    for (int r = 0; r < rows; r++) {
                        sum += x[r * in + i] * g[r * units + j];
                    }
                    gw[i * units + j] += (float) sum;
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
