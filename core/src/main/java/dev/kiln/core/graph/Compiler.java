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
        List<Node> nodes = graph.nodes();
        if (nodes.isEmpty() || nodes.get(nodes.size() - 1).op() instanceof Input) {
            throw new IllegalArgumentException("the graph has no operation after its inputs");
        }
        ShapeInference.shapes(nodes);
        boolean lossFused = fuse && Fusion.lossAbsorbsOutput(nodes, loss);
        List<Node> lowered = fuse ? Fusion.fuseDense(nodes, lossFused).nodes() : nodes;
        Shape[] shapes = ShapeInference.shapes(lowered);
        return new CompiledGraph(lowered, shapes, loss, lossFused, metrics, rule, pool);
    }
}
