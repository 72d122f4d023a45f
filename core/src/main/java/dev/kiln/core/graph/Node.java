package dev.kiln.core.graph;

/** One operation applied to the output of another node (null for the graph's input). */
public final class Node {
    private final int id;
    private final String name;
    private final Op op;
    private final Node input;

    Node(int id, String name, Op op, Node input) {
        this.id = id;
        this.name = name;
        this.op = op;
        this.input = input;
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

    /** The node this one reads, or null for the input node. */
    public Node input() {
        return input;
    }

    @Override
    public String toString() {
        return name + ": " + op.describe();
    }
}
