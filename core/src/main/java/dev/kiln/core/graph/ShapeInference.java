package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import java.util.List;

/** Checks that a graph is a chain the engine can run and infers every node's output shape. */
final class ShapeInference {
    private ShapeInference() {
    }

    static Shape[] shapes(List<Node> chain) {
        Shape[] shapes = new Shape[chain.size()];
        shapes[0] = chain.get(0).op().outputShape(null);
        for (int i = 1; i < chain.size(); i++) {
            Node node = chain.get(i);
            if (node.input() != chain.get(i - 1)) {
                throw new IllegalArgumentException("node '" + node.name() + "' reads '" + node.input().name()
                        + "' instead of the node before it: this engine compiles chains of operations only");
            }
            try {
                shapes[i] = node.op().outputShape(shapes[i - 1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node '" + node.name() + "': " + e.getMessage(), e);
            }
        }
        return shapes;
    }
}
