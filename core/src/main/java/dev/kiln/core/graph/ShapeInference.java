package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that a graph is one the engine can run, every node reading earlier ones and feeding a later
 * one or being the output (the last node), and infers every node's output shape.
 */
final class ShapeInference {
    private ShapeInference() {
    }

    /** The output shape of each node, indexed by its place in {@code nodes}. */
    static Shape[] shapes(List<Node> nodes) {
        Shape[] shapes = new Shape[nodes.size()];
        boolean[] read = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            List<Shape> in = new ArrayList<>();
            for (Node from : node.inputs()) {
                if (from.id() >= i || nodes.get(from.id()) != from) {
                    throw new IllegalArgumentException("node '" + node.name() + "' reads '" + from.name()
                            + "', which does not come before it in the graph");
                }
                read[from.id()] = true;
                in.add(shapes[from.id()]);
            }
            try {
                shapes[i] = node.op() instanceof Input input ? input.shape() : node.op().outputShape(in);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node '" + node.name() + "': " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < nodes.size() - 1; i++) {
            if (!read[i]) {
                throw new IllegalArgumentException("node '" + nodes.get(i).name() + "' feeds no other node and is not"
                        + " the graph's output (its last node)");
            }
        }
        return shapes;
    }

    /** For each node, the nodes reading its output, each once per time it reads it, in graph order. */
    static List<List<Node>> consumers(List<Node> nodes) {
        List<List<Node>> consumers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            consumers.add(new ArrayList<>());
        }
        for (Node node : nodes) {
            for (Node from : node.inputs()) {
                consumers.get(from.id()).add(node);
            }
        }
        return consumers;
    }
}
