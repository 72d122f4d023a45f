package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;

/**
 * Turns a graph, a loss, metric reductions and an update rule into a {@link CompiledGraph}:
 * shape inference, then fusion, then autodiff and the memory plan (inside {@link CompiledGraph}).
 *
 * <pre>{@code
 * CompiledGraph cg = Compiler.compile(graph, new MeanSquaredErrorLoss(), List.of(),
 *         new GradientDescentRule(0.01f, 0f, false), KernelPool.global());
 * }</pre>
 */
public final class Compiler {
    private Compiler() {
    }

    public static CompiledGraph compile(Graph graph, LossFunction loss, List<? extends MetricReduction> metrics,
            UpdateRule rule, KernelPool pool) {
        return compile(graph, loss, metrics, rule, pool, true);
    }

    /** {@code fuse} false keeps every primitive op on its own: slower, and a reference for tests of fusion. */
    public static CompiledGraph compile(Graph graph, LossFunction loss, List<? extends MetricReduction> metrics,
            UpdateRule rule, KernelPool pool, boolean fuse) {
        return compile(graph, List.of(new OutputLoss(loss, 1f, metrics)), rule, pool, fuse);
    }

    /**
     * Compiles a graph with one {@link OutputLoss} per {@linkplain Graph#outputs() output}, in the order
     * of the outputs: the optimizer minimizes the weighted sum of their losses.
     */
    public static CompiledGraph compile(Graph graph, List<OutputLoss> losses, UpdateRule rule, KernelPool pool,
            boolean fuse) {
        List<Node> nodes = graph.nodes();
        if (nodes.isEmpty() || nodes.get(nodes.size() - 1).op() instanceof Input) {
            throw new IllegalArgumentException("the graph has no operation after its inputs");
        }
        List<Node> outputs = graph.outputs();
        if (losses.size() != outputs.size()) {
            throw new IllegalArgumentException("the graph has " + outputs.size() + " outputs but " + losses.size()
                    + " losses were given; expected one loss per output");
        }
        ShapeInference.shapes(nodes, outputs);
        boolean[] fused = new boolean[outputs.size()];
        for (int k = 0; k < fused.length; k++) {
            fused[k] = fuse && Fusion.lossAbsorbsOutput(nodes, outputs, outputs.get(k), losses.get(k).loss());
        }
        Graph lowered = fuse ? Fusion.fuseDense(nodes, outputs, fused) : graph;
        Shape[] shapes = ShapeInference.shapes(lowered.nodes(), lowered.outputs());
        return new CompiledGraph(lowered.nodes(), lowered.outputs(), shapes, losses, fused, rule, pool);
    }
}
