package dev.kiln.core.graph;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * The fusion passes: matmul → bias_add → elementwise activation becomes one {@link Dense} (one GEMM
 * with the epilogue in registers), and the loss absorbs a final softmax or sigmoid it can compute
 * from the logits. A node is absorbed only when the node before it is its sole reader, since nothing
 * else may see the intermediate value fusion no longer writes.
 */
final class Fusion {
    private Fusion() {
    }

    /**
     * True when {@code loss} absorbs the last node of {@code nodes}: a softmax before a probability
     * cross-entropy or a sigmoid before a probability binary cross-entropy, reading logits that
     * nothing else reads.
     */
    static boolean lossAbsorbsOutput(List<Node> nodes, LossFunction loss) {
        Node last = nodes.get(nodes.size() - 1);
        if (loss.fusesWith() == null || !(last.op() instanceof Activate(Activation f)) || f != loss.fusesWith()) {
            return false;
        }
        Node logits = last.input();
        return !(logits.op() instanceof Input) && ShapeInference.consumers(nodes).get(logits.id()).size() == 1;
    }

    /**
     * Rewrites {@code nodes} (in graph order) into a new graph where every matmul with the bias add and
     * elementwise activation that solely read it is one dense node. The last node is left alone when
     * {@code keepLast} (the loss absorbs it).
     */
    static Graph fuseDense(List<Node> nodes, boolean keepLast) {
        List<List<Node>> consumers = ShapeInference.consumers(nodes);
        Node last = nodes.get(nodes.size() - 1);
        Graph fused = new Graph();
        Node[] rewritten = new Node[nodes.size()];
        for (Node node : nodes) {
            if (rewritten[node.id()] != null) {
                continue; // absorbed into a dense node
            }
            if (node.op() instanceof Input input) {
                rewritten[node.id()] = fused.addInput(node.name(), input.shape());
                continue;
            }
            List<Node> from = new ArrayList<>();
            for (Node in : node.inputs()) {
                from.add(rewritten[in.id()]);
            }
            if (node.op() instanceof MatMul(Parameter kernel)) {
                Parameter bias = null;
                Activation activation = Activation.LINEAR;
                List<Node> absorbed = new ArrayList<>();
                Node end = node;
                Node next = soleReader(end, consumers);
                if (next != null && next.op() instanceof BiasAdd(Parameter b)) {
                    bias = b;
                    absorbed.add(next);
                    end = next;
                    next = soleReader(end, consumers);
                }
                if (next != null && !(keepLast && next == last) && next.op() instanceof Activate(Activation f)
                        && f.isElementwise()) {
                    activation = f;
                    absorbed.add(next);
                }
                Node dense = fused.add(node.name(), new Dense(kernel, bias, activation), from);
                rewritten[node.id()] = dense;
                for (Node a : absorbed) {
                    rewritten[a.id()] = dense;
                }
            } else {
                rewritten[node.id()] = fused.add(node.name(), node.op(), from);
            }
        }
        return fused;
    }

    /** The one node that reads {@code node}'s output, or null when none or several do. */
    private static Node soleReader(Node node, List<List<Node>> consumers) {
        List<Node> readers = consumers.get(node.id());
        return readers.size() == 1 ? readers.get(0) : null;
    }
}
