package dev.kiln.core.graph;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

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
     * True when {@code loss} absorbs {@code output}, one of {@code outputs}: a softmax before a probability
     * cross-entropy or a sigmoid before a probability binary cross-entropy, reading logits that nothing
     * else reads (nor scores as an output), and read by nothing itself, since the loss writes it only
     * after every other node has run.
     */
    static boolean lossAbsorbsOutput(List<Node> nodes, List<Node> outputs, Node output, LossFunction loss) {
        if (loss.fusesWith() == null || !(output.op() instanceof Activate(Activation f)) || f != loss.fusesWith()) {
            return false;
        }
        Node logits = output.input();
        List<List<Node>> consumers = ShapeInference.consumers(nodes);
        return !(logits.op() instanceof Input) && consumers.get(logits.id()).size() == 1
                && consumers.get(output.id()).isEmpty() && !outputs.contains(logits);
    }

    /**
     * Rewrites {@code nodes} (in graph order) into a new graph where every matmul with the bias add and
     * elementwise activation that solely read it is one dense node, with the same {@code outputs} marked.
     * Output k is left alone when {@code kept[k]} (its loss absorbs it), and an output's value is never
     * absorbed into a later node, since its loss reads it.
     */
    static Graph fuseDense(List<Node> nodes, List<Node> outputs, boolean[] kept) {
        List<List<Node>> consumers = ShapeInference.consumers(nodes);
        Set<Node> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int k = 0; k < kept.length; k++) {
            if (kept[k]) {
                keep.add(outputs.get(k));
            }
        }
        Set<Node> scored = Collections.newSetFromMap(new IdentityHashMap<>());
        scored.addAll(outputs);
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
                Node next = scored.contains(end) ? null : soleReader(end, consumers);
                if (next != null && next.op() instanceof BiasAdd(Parameter b)) {
                    bias = b;
                    absorbed.add(next);
                    end = next;
                    next = scored.contains(end) ? null : soleReader(end, consumers);
                }
                if (next != null && !keep.contains(next) && next.op() instanceof Activate(Activation f)
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
        for (Node output : outputs) {
            fused.markOutput(rewritten[output.id()]);
        }
        return fused;
    }

    /** The one node that reads {@code node}'s output, or null when none or several do. */
    private static Node soleReader(Node node, List<List<Node>> consumers) {
        List<Node> readers = consumers.get(node.id());
        return readers.size() == 1 ? readers.get(0) : null;
    }
}
