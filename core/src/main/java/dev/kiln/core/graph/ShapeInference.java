package dev.kiln.core.graph;

import java.util.List;

/** Checks that a graph is a chain the engine can run and infers every node's output width. */
final class ShapeInference {
    private ShapeInference() {
    }

    static int[] widths(List<Node> chain) {
        int[] widths = new int[chain.size()];
        widths[0] = chain.get(0).op().outputWidth(0);
        for (int i = 1; i < chain.size(); i++) {
            Node node = chain.get(i);
            if (node.input() != chain.get(i - 1)) {
                throw new IllegalArgumentException("node '" + node.name() + "' reads '" + node.input().name()
                        + "' instead of the node before it: this engine compiles chains of operations only");
            }
            try {
                widths[i] = node.op().outputWidth(widths[i - 1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node '" + node.name() + "': " + e.getMessage(), e);
            }
        }
        return widths;
    }
}
