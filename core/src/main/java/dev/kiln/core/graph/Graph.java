package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A static graph of operations, built once and then handed to the {@link Compiler}.
 *
 * <pre>{@code
 * Graph g = new Graph(784);
 * var w = new Parameter("dense/kernel", 784, 10);
 * Node logits = g.add("dense", new MatMul(w), g.input());
 * }</pre>
 *
 * Nodes are kept in the order they were added, which is a topological order since a node can only
 * read one that already exists.
 */
public final class Graph {
    private final List<Node> nodes = new ArrayList<>();

    /** A graph whose examples have {@code inputShape}. */
    public Graph(Shape inputShape) {
        nodes.add(new Node(0, "input", new Input(inputShape), null));
    }

    /** A graph whose examples are rows of {@code inputWidth} features. */
    public Graph(int inputWidth) {
        this(Shape.of(inputWidth));
    }

    public Node input() {
        return nodes.get(0);
    }

    /** Adds {@code op} reading {@code from}, which must belong to this graph. */
    public Node add(String name, Op op, Node from) {
        if (op instanceof Input) {
            throw new IllegalArgumentException("a graph has exactly one input node");
        }
        if (from == null || from.id() >= nodes.size() || nodes.get(from.id()) != from) {
            throw new IllegalArgumentException("node '" + name + "' reads " + from + ", which is not in this graph");
        }
        Node node = new Node(nodes.size(), name, op, from);
        nodes.add(node);
        return node;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** The trainable parameters in the order their nodes were added. */
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (Node n : nodes) {
            ps.addAll(n.op().parameters());
        }
        return ps;
    }
}
