package dev.kiln.core.graph;

import java.util.List;

/** One operation applied to the outputs of earlier nodes (none for an input of the graph). */
public final class Node {
    private final int id;
    private final String name;
    private final Op op;
    private final List<Node> inputs;

    Node(int id, String name, Op op, List<Node> inputs) {
        this.id = id;
        this.name = name;
        this.op = op;
        this.inputs = List.copyOf(inputs);
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Op op() {
        return op;
    }

    /** The node this one reads (the first, for an op that merges several), or null for an input of the graph. */
    public Node input() {
        return inputs.isEmpty() ? null : inputs.get(0);
    }

    /** The nodes this one reads, in the order its op takes them; empty for an input of the graph. */
    public List<Node> inputs() {
        return inputs;
    }

    @Override
    public String toString() {
        return name + ": " + op.describe();
    }
}
