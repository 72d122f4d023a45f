package dev.kiln.core.graph;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Program;
import dev.kiln.core.exec.RowGather;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.ElementwiseKernels;
import dev.kiln.core.memory.Memory;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.memory.Tensor;
import dev.kiln.core.runtime.DropoutSeed;
import dev.kiln.core.runtime.FiniteGuard;
import dev.kiln.core.runtime.GradientClip;
import dev.kiln.core.runtime.GradientClipStep;
import dev.kiln.core.runtime.LossStep;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.NonFiniteStepException;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.PenaltyStep;
import dev.kiln.core.runtime.StateUpdate;
import dev.kiln.core.runtime.UpdateBuffers;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.core.runtime.UpdateStep;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A graph compiled for training and inference: parameters, gradients and optimizer slots in one
 * off-heap region, activations in a second sized for the largest batch seen, and three programs
 * (train, evaluate, predict) that run over them without allocating.
 *
 * <p>The workspace grows when a larger batch arrives ({@link #ensureCapacity}); the parameters and
 * optimizer state never move. A short last batch runs the same steps with fewer rows. Not thread-safe:
 * one caller at a time.
 */
public final class CompiledGraph implements AutoCloseable {
    /**
     * The most steps a restored count may claim: far beyond any training (2^62 steps), and far enough
     * below Long.MAX_VALUE that counting on from it never overflows.
     */
    public static final long MAX_ITERATIONS = 1L << 62;

    private final List<Node> nodes;
    private final List<Node> inputs;
    private final Shape[] shapes;
    /** The id of each output node, in the order the graph marked them. */
    private final int[] outputIds;
    private final List<OutputLoss> losses;
    /** Whether output k's loss absorbed its final activation (and so reads the logits before it). */
    private final boolean[] lossFused;
    /** Every output's metric reductions one after another: metric i is output metricOutput[i]'s metricLocal[i]. */
    private final List<MetricReduction> metrics = new ArrayList<>();
    private final int[] metricOutput;
    private final int[] metricLocal;
    private final UpdateRule rule;
    private final KernelPool pool;
    private final RowGather gather;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<DropoutSeed> dropoutSeeds = new ArrayList<>();
    private final Arena stateArena = Memory.newArena();
    private final UpdateStep update;
    private final GradientClipStep clip;
    private final int parameterFloats;
    /** The optimizer's slot regions, one per slot the rule keeps, laid out like the parameters. */
    private final MemorySegment[] slotRegions;

    private Arena workArena;
    private int capacity;
    private MemorySegment[] inputBuffers;
    private MemorySegment[] targetBuffers;
    private MemorySegment weightBuffer;
    /** Whether the next train or evaluate step weights its rows by {@link #weightBuffer}. */
    private boolean weightsLoaded;
    private MemorySegment[] outputBuffers;
    private Program train;
    private Program evaluate;
    private Program predict;
    private LossStep[] trainLosses;
    private LossStep[] evaluateLosses;
    private LossStep[] lastLosses;
    private PenaltyStep trainPenalty;
    private PenaltyStep evaluatePenalty;
    private PenaltyStep lastPenalty;
    private int lastRows;
    private boolean closed;
    private boolean warmup;

    CompiledGraph(List<Node> nodes, List<Node> outputs, Shape[] shapes, List<OutputLoss> losses, boolean[] lossFused,
            UpdateRule rule, KernelPool pool) {
        this.nodes = List.copyOf(nodes);
        this.inputs = nodes.stream().filter(n -> n.op() instanceof Input).toList();
        this.shapes = shapes.clone();
        this.outputIds = outputs.stream().mapToInt(Node::id).toArray();
        this.losses = List.copyOf(losses);
        this.lossFused = lossFused.clone();
        List<Integer> owner = new ArrayList<>();
        List<Integer> local = new ArrayList<>();
        for (int k = 0; k < losses.size(); k++) {
            for (int m = 0; m < losses.get(k).metrics().size(); m++) {
                metrics.add(losses.get(k).metrics().get(m));
                owner.add(k);
                local.add(m);
            }
        }
        this.metricOutput = owner.stream().mapToInt(Integer::intValue).toArray();
        this.metricLocal = local.stream().mapToInt(Integer::intValue).toArray();
        this.rule = rule;
        this.pool = pool;
        this.gather = new RowGather(pool);
        parameters.addAll(Graph.distinctParameters(nodes));
        requireStateReadOnce(nodes);
        for (Node n : nodes) {
            if (n.op() instanceof Dropout d) {
                dropoutSeeds.add(d.seed());
            }
        }

        // State region: every parameter back to back, then the same layout for gradients and slots,
        // so the optimizer runs as one pass over one contiguous range.
        // Trainable parameters first: the update pass covers [0, parameterFloats) and never reaches
        // the non-trainable state (moving statistics) placed after them.
        MemoryPlan plan = new MemoryPlan();
        long[] offsets = new long[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).trainable()) {
                offsets[i] = plan.reserve(parameters.get(i).size());
            }
        }
        parameterFloats = Math.toIntExact(plan.totalFloats());
        for (int i = 0; i < parameters.size(); i++) {
            if (!parameters.get(i).trainable()) {
                offsets[i] = plan.reserve(parameters.get(i).size());
            }
        }
        MemorySegment values = plan.allocate(stateArena);
        MemorySegment gradients = plan.allocate(stateArena);
        MemorySegment[] slots = new MemorySegment[rule.slots()];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = plan.allocate(stateArena);
            slots[s].elements(JAVA_FLOAT).forEach(e -> e.set(JAVA_FLOAT, 0, rule.initialSlotValue()));
        }
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            p.bind(offsets[i], MemoryPlan.slice(values, offsets[i], p.size()), MemoryPlan.slice(gradients, offsets[i], p.size()));
        }
        update = new UpdateStep(rule, new UpdateBuffers(values, gradients, List.of(slots)), parameterFloats, pool);
        slotRegions = slots;
        clip = new GradientClipStep(gradients, parameters, pool);
    }

    /**
     * Moving statistics move once per node that reads them, from that node's batch; two nodes moving
     * one parameter would each overwrite the other's step, so a stateful op cannot be shared.
     */
    private static void requireStateReadOnce(List<Node> nodes) {
        Map<Parameter, Node> reader = new IdentityHashMap<>();
        for (Node n : nodes) {
            for (Parameter p : n.op().parameters()) {
                Node first = p.trainable() ? null : reader.putIfAbsent(p, n);
                if (first != null && first != n) {
                    throw new IllegalArgumentException("state " + p + " is read by nodes '" + first.name() + "' and '"
                            + n.name() + "': an op that keeps moving statistics cannot be shared; give each place an"
                            + " op of its own");
                }
            }
        }
    }

    // ---- shape ------------------------------------------------------------------------------

    /** Floats per input example (of the first input, when the graph has several). */
    public int inputWidth() {
        return inputShape().size();
    }

    /** How many inputs the graph reads: examples of each are loaded before every step. */
    public int inputCount() {
        return inputs.size();
    }

    /** The shape of input {@code input}'s examples, in the order the graph added its inputs. */
    public Shape inputShape(int input) {
        return shapes[inputs.get(input).id()];
    }

    /** Floats per output example (of the first output, when the graph has several). */
    public int outputWidth() {
        return outputWidth(0);
    }

    /** How many outputs the graph has, each scored by a loss of its own. */
    public int outputCount() {
        return outputIds.length;
    }

    /** Floats per example of output {@code output}, in the order the graph marked its outputs. */
    public int outputWidth(int output) {
        return outputShape(output).size();
    }

    public Shape outputShape(int output) {
        return shapes[outputIds[output]];
    }

    /** The width of one row of output {@code output}'s targets: 1 for class indices, else the output width. */
    public int targetWidth(int output) {
        return losses.get(output).loss().targetWidth(outputWidth(output));
    }

    public Shape inputShape() {
        return inputShape(0);
    }

    public Shape outputShape() {
        return outputShape(0);
    }

    /** The width of one row of targets (of the first output): 1 for class indices, else the output width. */
    public int targetWidth() {
        return targetWidth(0);
    }

    public List<Parameter> parameters() {
        return List.copyOf(parameters);
    }

    /** The compiled nodes in graph order, inputs included, after fusion: what actually runs. */
    public List<Node> nodes() {
        return nodes;
    }

    /** Whether the (first) output's loss absorbed its final activation. */
    public boolean lossFused() {
        return lossFused(0);
    }

    public boolean lossFused(int output) {
        return lossFused[output];
    }

    public int capacity() {
        return capacity;
    }

    // ---- parameters and optimizer -------------------------------------------------------------

    public float[] readParameter(int index) {
        checkOpen();
        Parameter p = parameters.get(index);
        float[] out = new float[Math.toIntExact(p.size())];
        MemorySegment.copy(p.value(), JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    /** The gradient of parameter {@code index} from the last training step (kept until the next). */
    public float[] readGradient(int index) {
        checkOpen();
        Parameter p = parameters.get(index);
        float[] out = new float[Math.toIntExact(p.size())];
        MemorySegment.copy(p.gradient(), JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    /**
     * Replaces parameter {@code index}; every value must be finite, and >= 0 for
     * {@linkplain Parameter#nonNegative() non-negative} state, since one bad value spreads to every output.
     */
    public void writeParameter(int index, float[] values) {
        checkOpen();
        Parameter p = parameters.get(index);
        if (values.length != p.size()) {
            throw new IllegalArgumentException("parameter " + p + " holds " + p.size() + " values, got " + values.length);
        }
        requireValid(values, p.nonNegative(), "parameter " + p.name());
        MemorySegment.copy(values, 0, p.value(), JAVA_FLOAT, 0, values.length);
        update.stateChanged();
    }

    private static void requireValid(float[] values, boolean nonNegative, String what) {
        int bad = Parameter.firstInvalid(values, nonNegative);
        if (bad >= 0) {
            throw new IllegalArgumentException(what + " element " + bad + " is " + values[bad] + ": expected a finite"
                    + " number" + (nonNegative ? " >= 0" : ""));
        }
    }

    public float learningRate() {
        return update.learningRate();
    }

    public void setLearningRate(float lr) {
        if (!(lr >= 0f) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
        }
        update.setLearningRate(lr);
    }

    /** How the gradients are bounded before each update; {@link GradientClip#NONE} unless set. */
    public GradientClip gradientClip() {
        return clip.clip();
    }

    /** Takes effect from the next training step. */
    public void setGradientClip(GradientClip gradientClip) {
        if (gradientClip == null) {
            throw new IllegalArgumentException("gradient clip is null; use GradientClip.NONE for none");
        }
        clip.setClip(gradientClip);
    }

    /** Training steps taken so far (the optimizer's t). */
    public long iterations() {
        return update.iterations();
    }

    /** How many state buffers per parameter the optimizer keeps (0 for plain SGD, 2 for Adam). */
    public int optimizerSlots() {
        return rule.slots();
    }

    /** Optimizer slot {@code slot} (e.g. Adam's first moment for 0) of parameter {@code index}. */
    public float[] readSlot(int slot, int index) {
        checkOpen();
        Parameter p = parameters.get(index);
        float[] out = new float[Math.toIntExact(p.size())];
        MemorySegment.copy(slotSegment(slot), JAVA_FLOAT, p.offset() * Float.BYTES, out, 0, out.length);
        return out;
    }

    /** True when optimizer slot {@code slot} can never be negative (a sum or mean of squares). */
    public boolean slotNonNegative(int slot) {
        slotSegment(slot);
        return rule.slotNonNegative(slot);
    }

    /**
     * Replaces optimizer slot {@code slot} of parameter {@code index}, e.g. when resuming from a file;
     * the values must be finite, and >= 0 where {@link #slotNonNegative} says so.
     */
    public void writeSlot(int slot, int index, float[] values) {
        checkOpen();
        Parameter p = parameters.get(index);
        if (values.length != p.size()) {
            throw new IllegalArgumentException("slot " + slot + " of parameter " + p + " holds " + p.size()
                    + " values, got " + values.length);
        }
        requireValid(values, slotNonNegative(slot), "slot " + slot + " of parameter " + p.name());
        MemorySegment.copy(values, 0, slotSegment(slot), JAVA_FLOAT, p.offset() * Float.BYTES, values.length);
        update.stateChanged();
    }

    /**
     * Sets the optimizer's step count, e.g. when resuming from a file: Adam's bias correction at the
     * next step then is the one of step {@code iterations + 1}.
     */
    public void setIterations(long iterations) {
        checkOpen();
        if (iterations < 0 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in [0, " + MAX_ITERATIONS + "], got " + iterations);
        }
        update.setIterations(iterations);
    }

    /** The base seed of the dropout masks (0 when the graph has no dropout). */
    public long dropoutSeed() {
        return dropoutSeeds.isEmpty() ? 0 : dropoutSeeds.get(0).base();
    }

    /** Training steps the dropout masks have advanced since they were seeded. */
    public long dropoutStep() {
        return dropoutSeeds.isEmpty() ? 0 : dropoutSeeds.get(0).step();
    }

    /** Puts every dropout mask stream back where {@link #dropoutSeed()} and {@link #dropoutStep()} said. */
    public void restoreDropout(long seed, long step) {
        for (DropoutSeed s : dropoutSeeds) {
            s.restore(seed, step);
        }
    }

    private MemorySegment slotSegment(int slot) {
        if (slot < 0 || slot >= rule.slots()) {
            throw new IllegalArgumentException("the optimizer keeps " + rule.slots() + " slots, no slot " + slot);
        }
        return slotRegions[slot];
    }

    public void seedDropout(long seed) {
        for (DropoutSeed s : dropoutSeeds) {
            s.reseed(seed);
        }
    }

    // ---- batches ------------------------------------------------------------------------------

    /** Makes room for batches of up to {@code rows} rows; a no-op when there already is. */
    public void ensureCapacity(int rows) {
        checkOpen();
        if (rows <= 0) {
            throw new IllegalArgumentException("batch rows must be positive, got " + rows);
        }
        if (rows <= capacity) {
            return;
        }
        Arena old = workArena;
        buildWorkspace(rows);
        if (old != null) {
            old.close();
        }
    }

    /** Copies rows {@code order[from..from+count)} (or {@code from..} when order is null) of x into the batch. */
    public void loadInputs(float[][] x, int[] order, int from, int count) {
        loadInputs(0, x, order, from, count);
    }

    public void loadInputs(Tensor x, int[] order, int from, int count) {
        loadInputs(0, x, order, from, count);
    }

    /** As {@link #loadInputs(float[][], int[], int, int)}, for input {@code input} of a graph that reads several. */
    public void loadInputs(int input, float[][] x, int[] order, int from, int count) {
        checkBatch(count);
        gather.rows(x, inputBuffers[input], inputShape(input).size(), order, from, count);
    }

    public void loadInputs(int input, Tensor x, int[] order, int from, int count) {
        checkBatch(count);
        gather.rows(x.segment(), inputBuffers[input], inputShape(input).size(), order, from, count);
    }

    /**
     * Copies {@code count} rows from {@code x}, which holds them one after another (row-major, as a
     * streamed batch arrives), into the batch of the (first) input.
     */
    public void loadInputs(float[] x, int count) {
        checkBatch(count);
        checkFlat(x, count, inputWidth(), "inputs");
        MemorySegment.copy(x, 0, inputBuffers[0], JAVA_FLOAT, 0, count * inputWidth());
    }

    /**
     * Copies {@code count} target rows of {@link #targetWidth()} values each (class indices as floats when
     * it is 1 for a sparse loss) from {@code y}, row-major, into the batch.
     */
    public void loadTargets(float[] y, int count) {
        loadTargets(0, y, count);
    }

    /** As {@link #loadTargets(float[], int)}, for output {@code output}. */
    public void loadTargets(int output, float[] y, int count) {
        checkBatch(count);
        int width = targetWidth(output);
        checkFlat(y, count, width, "targets");
        MemorySegment.copy(y, 0, targetBuffers[output], JAVA_FLOAT, 0, count * width);
    }

    private static void checkFlat(float[] values, int count, int width, String what) {
        if ((long) count * width > values.length) {
            throw new IllegalArgumentException(count + " rows of " + width + " " + what + " need "
                    + (long) count * width + " values but the array holds " + values.length);
        }
    }

    /** Loads class indices as the targets of the batch. */
    public void loadLabels(int[] labels, int[] order, int from, int count) {
        loadLabels(0, labels, order, from, count);
    }

    public void loadTargets(float[][] y, int[] order, int from, int count) {
        loadTargets(0, y, order, from, count);
    }

    public void loadTargets(Tensor y, int[] order, int from, int count) {
        loadTargets(0, y, order, from, count);
    }

    /** Loads class indices as the targets of output {@code output} for the batch. */
    public void loadLabels(int output, int[] labels, int[] order, int from, int count) {
        checkBatch(count);
        MemorySegment targets = targetBuffers[output];
        for (int r = 0; r < count; r++) {
            int row = order == null ? from + r : order[from + r];
            targets.setAtIndex(JAVA_FLOAT, r, labels[row]);
        }
    }

    public void loadTargets(int output, float[][] y, int[] order, int from, int count) {
        checkBatch(count);
        gather.rows(y, targetBuffers[output], targetWidth(output), order, from, count);
    }

    public void loadTargets(int output, Tensor y, int[] order, int from, int count) {
        checkBatch(count);
        gather.rows(y.segment(), targetBuffers[output], targetWidth(output), order, from, count);
    }

    /**
     * Loads a weight per row for the next train or evaluate step only: each row's loss and gradient are
     * scaled by its weight, the batch loss still divided by the number of rows. A step with no weights
     * loaded before it is unweighted.
     */
    public void loadSampleWeights(float[] weights, int[] order, int from, int count) {
        checkBatch(count);
        for (int r = 0; r < count; r++) {
            weightBuffer.setAtIndex(JAVA_FLOAT, r, weights[order == null ? from + r : order[from + r]]);
        }
        weightsLoaded = true;
    }

    /**
     * Forward, loss, backward and update on the loaded batch of {@code rows} rows. A step refused with
     * {@link NonFiniteStepException} leaves every piece of state as it was: parameters, optimizer slots,
     * moving statistics, the step count and the dropout mask stream.
     */
    public void trainStep(int rows) {
        checkBatch(rows);
        Warmup.userStep(this);
        for (LossStep l : trainLosses) {
            l.weightRows(weightsLoaded);
        }
        weightsLoaded = false;
        try {
            train.run(rows);
        } catch (NonFiniteStepException e) {
            // The step advanced the dropout masks before it was refused; a refused step moves nothing.
            for (DropoutSeed seed : dropoutSeeds) {
                seed.restore(seed.base(), seed.step() - 1);
            }
            throw e;
        }
        lastLosses = trainLosses;
        lastPenalty = trainPenalty;
        lastRows = rows;
    }

    /** Forward in inference mode and the loss, without gradients. */
    public void evaluateStep(int rows) {
        checkBatch(rows);
        Warmup.userStep(this);
        for (LossStep l : evaluateLosses) {
            l.weightRows(weightsLoaded);
        }
        weightsLoaded = false;
        evaluate.run(rows);
        lastLosses = evaluateLosses;
        lastPenalty = evaluatePenalty;
        lastRows = rows;
    }

    /** Forward in inference mode only. */
    public void predictStep(int rows) {
        checkBatch(rows);
        Warmup.userStep(this);
        predict.run(rows);
    }

    /**
     * Sum of the per-sample losses of the last train or evaluate step, each output's times its loss
     * weight; with weight penalties, each sample's loss includes the batch's penalty, so that
     * lossSum / rows is the batch's total loss.
     */
    public double lossSum() {
        if (lastLosses == null) {
            return Double.NaN;
        }
        return weightedLossSum(lastLosses) + (lastPenalty == null ? 0 : lastPenalty.value() * lastRows);
    }

    /** Σ weight_k · loss_k; a single output's loss as it is, so that one output adds no rounding. */
    private static double weightedLossSum(LossStep[] steps) {
        if (steps.length == 1) {
            return steps[0].lossSum();
        }
        double sum = 0;
        for (LossStep step : steps) {
            sum += (double) step.lossWeight() * step.lossSum();
        }
        return sum;
    }

    /** Sum of output {@code output}'s own per-sample losses over the last train or evaluate step (no weight, no penalty). */
    public double outputLossSum(int output) {
        return lastLosses == null ? Double.NaN : lastLosses[output].lossSum();
    }

    /**
     * Sum of metric reduction {@code i} over the last train or evaluate step; the reductions of every
     * output are numbered one after another, in output order.
     */
    public double metricSum(int i) {
        return lastLosses == null ? Double.NaN : lastLosses[metricOutput[i]].metricSum(metricLocal[i]);
    }

    /**
     * Adds every sum of metric reduction {@code i} over the last train or evaluate step to
     * {@code totals}, which holds at least {@link MetricReduction#sums()} values; allocates nothing.
     */
    public void addMetricSums(int i, double[] totals) {
        if (lastLosses == null) {
            throw new IllegalStateException("no train or evaluate step has run since the workspace was built");
        }
        if (totals.length < metrics.get(i).sums()) {
            throw new IllegalArgumentException("metric " + i + " yields " + metrics.get(i).sums()
                    + " sums but totals holds " + totals.length);
        }
        lastLosses[metricOutput[i]].addMetricSums(metricLocal[i], totals);
    }

    /** Copies the first {@code count} output rows of the last step into {@code dst[dstFrom..]}. */
    public void readOutputs(float[][] dst, int dstFrom, int count) {
        readOutputs(0, dst, dstFrom, count);
    }

    /** As {@link #readOutputs(float[][], int, int)}, for output {@code output}. */
    public void readOutputs(int output, float[][] dst, int dstFrom, int count) {
        checkBatch(count);
        int w = outputWidth(output);
        MemorySegment outputBuffer = outputBuffers[output];
        for (int r = 0; r < count; r++) {
            MemorySegment.copy(outputBuffer, JAVA_FLOAT, (long) r * w * Float.BYTES, dst[dstFrom + r], 0, w);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** This graph is the background warm-up's own: its steps do not count as the user's work. */
    void markWarmup() {
        warmup = true;
    }

    boolean isWarmup() {
        return warmup;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (workArena != null) {
            workArena.close();
        }
        stateArena.close();
    }

    // ---- autodiff and workspace planning --------------------------------------------------------

    private void buildWorkspace(int rows) {
        int n = nodes.size();
        int last = n - 1;
        int outputCount = outputIds.length;
        // Output k's loss reads scored[k]: the logits when it absorbed the output's activation, which
        // then never runs in training or evaluation (absorbed), since the loss writes its values.
        int[] scored = new int[outputCount];
        boolean[] absorbed = new boolean[n];
        for (int k = 0; k < outputCount; k++) {
            scored[k] = lossFused[k] ? nodes.get(outputIds[k]).input().id() : outputIds[k];
            absorbed[outputIds[k]] = lossFused[k];
        }
        List<List<Node>> consumers = ShapeInference.consumers(nodes);
        boolean[] needsGradient = new boolean[n];
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            needsGradient[i] = node.op().parameters().stream().anyMatch(Parameter::trainable)
                    || node.inputs().stream().anyMatch(in -> needsGradient[in.id()]);
        }

        MemoryPlan plan = new MemoryPlan();
        long[] out = new long[n];
        long[] grad = new long[n];
        // edgeGradient[i][k]: where node i's backward writes the gradient of its k-th input. A node read
        // once writes straight into that input's gradient; of a node read several times, the last reader
        // does (its backward runs first) and every other reader gets a buffer of its own, which a sum
        // step adds in before the node's own backward.
        long[][] edgeGradient = new long[n][];
        List<List<Long>> extraGradients = new ArrayList<>();
        long[] scratch = new long[n];
        int[] scratchWidth = new int[n];
        long[] backwardScratch = new long[n];
        long[] backwardScratchFloats = new long[n];
        long[] workspace = new long[n];
        long[] workspaceFloats = new long[n];
        for (int i = 0; i < n; i++) {
            extraGradients.add(new ArrayList<>());
            Node node = nodes.get(i);
            long outFloats = (long) rows * shapes[i].size();
            edgeGradient[i] = new long[node.inputs().size()];
            for (int k = 0; k < edgeGradient[i].length; k++) {
                int from = node.inputs().get(k).id();
                List<Node> readers = consumers.get(from);
                boolean lastReader = readers.get(readers.size() - 1) == node
                        && node.inputs().lastIndexOf(nodes.get(from)) == k;
                if (!needsGradient[from]) {
                    edgeGradient[i][k] = -1;
                } else if (lastReader) {
                    edgeGradient[i][k] = grad[from];
                } else {
                    edgeGradient[i][k] = plan.reserve((long) rows * shapes[from].size());
                    extraGradients.get(from).add(edgeGradient[i][k]);
                }
            }
            Shape inShape = node.inputs().isEmpty() ? null : shapes[node.input().id()];
            if (node.op().viewsInput()) {
                // A reshape: the same rows seen with another shape, in the same memory.
                out[i] = out[node.input().id()];
                grad[i] = edgeGradient[i][0];
            } else {
                out[i] = plan.reserve(outFloats);
                grad[i] = needsGradient[i] ? plan.reserve(outFloats) : -1;
            }
            boolean input = node.op() instanceof Input;
            scratchWidth[i] = input ? 0 : node.op().scratchWidth(inShape, shapes[i]);
            scratch[i] = scratchWidth[i] > 0 ? plan.reserve((long) rows * scratchWidth[i]) : -1;
            // Only a backward that computes an input gradient needs it.
            backwardScratchFloats[i] = input || Arrays.stream(edgeGradient[i]).allMatch(g -> g < 0) ? 0
                    : node.op().backwardScratchFloats(inShape, shapes[i]);
            backwardScratch[i] = backwardScratchFloats[i] > 0 ? plan.reserve(backwardScratchFloats[i]) : -1;
            workspaceFloats[i] = input ? 0 : node.op().workspaceFloats(inShape, shapes[i]);
            workspace[i] = workspaceFloats[i] > 0 ? plan.reserve(workspaceFloats[i]) : -1;
        }
        // A parameter read by several nodes (a shared layer): its first reader writes the parameter's own
        // gradient, every later one a buffer of its own, added in once the whole backward pass has run.
        List<Map<Parameter, Long>> parameterGradient = new ArrayList<>();
        Map<Parameter, Node> firstReader = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            Map<Parameter, Long> own = new IdentityHashMap<>();
            for (Parameter p : nodes.get(i).op().parameters()) {
                boolean first = firstReader.putIfAbsent(p, nodes.get(i)) == null;
                if (p.trainable() && !first && !own.containsKey(p)) {
                    own.put(p, plan.reserve(p.size()));
                }
            }
            parameterGradient.add(own);
        }
        // A scored node that other nodes read gets their gradient from the last of them: its loss then
        // writes a buffer of its own, summed in with the readers' shares before the node's backward.
        long[] lossGradientAt = new long[outputCount];
        for (int k = 0; k < outputCount; k++) {
            int node = scored[k];
            if (!needsGradient[node]) {
                lossGradientAt[k] = -1;
            } else if (lossFused[k] || consumers.get(node).isEmpty()) {
                lossGradientAt[k] = grad[node];
            } else {
                lossGradientAt[k] = plan.reserve((long) rows * shapes[node].size());
                extraGradients.get(node).add(lossGradientAt[k]);
            }
        }
        long[] target = new long[outputCount];
        for (int k = 0; k < outputCount; k++) {
            target[k] = plan.reserve((long) rows * targetWidth(k));
        }
        long weight = plan.reserve(rows);

        Arena arena = Memory.newArena();
        MemorySegment region = plan.allocate(arena);
        MemorySegment[] outputs = new MemorySegment[n];
        MemorySegment[] gradients = new MemorySegment[n];
        for (int i = 0; i < n; i++) {
            long floats = (long) rows * shapes[i].size();
            outputs[i] = MemoryPlan.slice(region, out[i], floats);
            gradients[i] = grad[i] < 0 ? null : MemoryPlan.slice(region, grad[i], floats);
        }
        NodeBuffers[] buffers = new NodeBuffers[n];
        List<Step> parameterGradientSums = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            if (node.op() instanceof Input) {
                continue;
            }
            Map<Parameter, MemorySegment> parameterGradients = new IdentityHashMap<>();
            for (Parameter p : node.op().parameters()) {
                Long own = parameterGradient.get(i).get(p);
                parameterGradients.put(p, own == null ? p.gradient() : MemoryPlan.slice(region, own, p.size()));
                if (own != null && !absorbed[i]) {
                    parameterGradientSums.add(sumParameterGradient(parameterGradients.get(p), p));
                }
            }
            List<MemorySegment> ins = new ArrayList<>();
            List<MemorySegment> inGradients = new ArrayList<>();
            List<Shape> inShapes = new ArrayList<>();
            for (int k = 0; k < node.inputs().size(); k++) {
                int from = node.inputs().get(k).id();
                ins.add(outputs[from]);
                inGradients.add(edgeGradient[i][k] < 0 ? null
                        : MemoryPlan.slice(region, edgeGradient[i][k], (long) rows * shapes[from].size()));
                inShapes.add(shapes[from]);
            }
            buffers[i] = new NodeBuffers(ins, outputs[i], inGradients, gradients[i],
                    scratch[i] < 0 ? null : MemoryPlan.slice(region, scratch[i], (long) rows * scratchWidth[i]),
                    backwardScratch[i] < 0 ? null : MemoryPlan.slice(region, backwardScratch[i], backwardScratchFloats[i]),
                    inShapes, shapes[i],
                    workspace[i] < 0 ? null : MemoryPlan.slice(region, workspace[i], workspaceFloats[i]),
                    parameterGradients);
        }
        MemorySegment[] targets = new MemorySegment[outputCount];
        LossStep[] newTrainLosses = new LossStep[outputCount];
        LossStep[] newEvaluateLosses = new LossStep[outputCount];
        MemorySegment weights = MemoryPlan.slice(region, weight, rows);
        for (int k = 0; k < outputCount; k++) {
            targets[k] = MemoryPlan.slice(region, target[k], (long) rows * targetWidth(k));
            OutputLoss scoring = losses.get(k);
            MemorySegment scores = outputs[scored[k]];
            MemorySegment lossGradient = lossGradientAt[k] < 0 ? null
                    : MemoryPlan.slice(region, lossGradientAt[k], (long) rows * shapes[scored[k]].size());
            newTrainLosses[k] = new LossStep(scoring.loss(), lossFused[k], scores, outputs[outputIds[k]], targets[k],
                    lossGradient, weights, outputWidth(k), scoring.weight(), scoring.metrics());
            newEvaluateLosses[k] = new LossStep(scoring.loss(), lossFused[k], scores, outputs[outputIds[k]],
                    targets[k], null, weights, outputWidth(k), scoring.weight(), scoring.metrics());
        }

        List<Step> trainSteps = new ArrayList<>();
        for (DropoutSeed seed : dropoutSeeds) {
            trainSteps.add(r -> seed.advance());
        }
        addForward(trainSteps, buffers, absorbed, true);
        for (LossStep l : newTrainLosses) {
            trainSteps.add(l);
            trainSteps.add(FiniteGuard.loss(l)); // a NaN loss stops the step before backward and update
        }
        for (int i = last; i >= 0; i--) {
            if (!needsGradient[i] || absorbed[i]) {
                continue;
            }
            for (long extra : extraGradients.get(i)) {
                MemorySegment from = MemoryPlan.slice(region, extra, (long) rows * shapes[i].size());
                trainSteps.add(sumGradients(from, gradients[i], shapes[i].size()));
            }
            Step backward = nodes.get(i).op().backward(buffers[i], pool);
            if (backward != null) {
                trainSteps.add(backward);
            }
        }
        trainSteps.addAll(parameterGradientSums);
        PenaltyStep newTrainPenalty = PenaltyStep.of(parameters, true);
        if (newTrainPenalty != null) {
            trainSteps.add(newTrainPenalty);
        }
        List<StateUpdate> stateUpdates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StateUpdate state = absorbed[i] || buffers[i] == null ? null : nodes.get(i).op().stateUpdate(buffers[i]);
            if (state != null) {
                stateUpdates.add(state);
            }
        }
        if (parameterFloats > 0) {
            trainSteps.add(clip);
        }
        // After clipping, so that what is checked is the update that will actually run; nothing of the
        // model's state is written before this point.
        trainSteps.add(FiniteGuard.beforeUpdate(parameterFloats > 0 ? update : null, parameters, stateUpdates,
                () -> weightedLossSum(newTrainLosses)));
        if (parameterFloats > 0) {
            trainSteps.add(update);
        }
        for (StateUpdate state : stateUpdates) {
            trainSteps.add(r -> state.apply());
        }

        List<Step> evaluateSteps = new ArrayList<>();
        addForward(evaluateSteps, buffers, absorbed, false);
        evaluateSteps.addAll(Arrays.asList(newEvaluateLosses));
        PenaltyStep newEvaluatePenalty = PenaltyStep.of(parameters, false);
        if (newEvaluatePenalty != null) {
            evaluateSteps.add(newEvaluatePenalty);
        }

        List<Step> predictSteps = new ArrayList<>();
        addForward(predictSteps, buffers, new boolean[n], false);

        workArena = arena;
        capacity = rows;
        inputBuffers = new MemorySegment[inputs.size()];
        for (int j = 0; j < inputs.size(); j++) {
            inputBuffers[j] = outputs[inputs.get(j).id()];
        }
        targetBuffers = targets;
        weightBuffer = weights;
        weightsLoaded = false;
        outputBuffers = new MemorySegment[outputCount];
        for (int k = 0; k < outputCount; k++) {
            outputBuffers[k] = outputs[outputIds[k]];
        }
        train = new Program(trainSteps);
        evaluate = new Program(evaluateSteps);
        predict = new Program(predictSteps);
        trainLosses = newTrainLosses;
        evaluateLosses = newEvaluateLosses;
        trainPenalty = newTrainPenalty;
        evaluatePenalty = newEvaluatePenalty;
        lastLosses = null;
        lastPenalty = null;
    }

    /** parameter's gradient += extra: a later reader's share of a shared parameter's gradient. */
    private static Step sumParameterGradient(MemorySegment extra, Parameter parameter) {
        MemorySegment gradient = parameter.gradient();
        long size = parameter.size();
        return rows -> ElementwiseKernels.add(gradient, extra, gradient, 0, size);
    }

    /** gradient += extra: a second reader's share of a node's gradient. */
    private Step sumGradients(MemorySegment extra, MemorySegment gradient, int width) {
        return new RowRangeStep((from, to) -> ElementwiseKernels.add(gradient, extra, gradient, (long) from * width,
                (long) to * width), width, pool);
    }

    /** The forward steps of every node but the {@code skipped} ones (outputs their losses absorbed). */
    private void addForward(List<Step> steps, NodeBuffers[] buffers, boolean[] skipped, boolean training) {
        for (int i = 0; i < nodes.size(); i++) {
            Step s = buffers[i] == null || skipped[i] ? null : nodes.get(i).op().forward(buffers[i], training, pool);
            if (s != null) {
                steps.add(s);
            }
        }
    }

    private void checkBatch(int rows) {
        checkOpen();
        if (rows <= 0 || rows > capacity) {
            throw new IllegalArgumentException("batch of " + rows + " rows does not fit the compiled capacity of "
                    + capacity + " (call ensureCapacity first)");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this compiled graph is closed");
        }
    }
}
