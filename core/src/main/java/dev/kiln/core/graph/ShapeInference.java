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

    /** The output shape of each node, indexed by its place in {@code nodes}, for a graph whose output is its last node. */
    static Shape[] shapes(List<Node> nodes) {
        return shapes(nodes, nodes.isEmpty() ? List.of() : List.of(nodes.get(nodes.size() - 1)));
    }

    /** As {@link #shapes(List)}, for a graph whose outputs are {@code outputs}: every other node must feed one. */
    static Shape[] shapes(List<Node> nodes, List<Node> outputs) {
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
        boolean lastIsOutput = outputs.size() == 1 && outputs.get(0).id() == nodes.size() - 1;
        for (int i = 0; i < nodes.size(); i++) {
            if (!read[i] && !outputs.contains(nodes.get(i))) {
                throw new IllegalArgumentException("node '" + nodes.get(i).name() + "' feeds no other node and is not"
                        + (lastIsOutput ? " the graph's output (its last node)" : " one of the graph's outputs"));
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
