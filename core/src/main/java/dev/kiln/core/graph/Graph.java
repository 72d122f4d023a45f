package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

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
 * read nodes that already exist. A node's output may feed several later nodes (the compiled graph
 * then sums the gradients they send back), several nodes may read one parameter (a shared layer: the
 * gradients of its uses are summed before the update), and merge ops ({@link Add}, {@link Concatenate},
 * {@link Multiply}) read several nodes. The last node added is the graph's output unless nodes are
 * {@linkplain #markOutput marked} as outputs (a model with several outputs, each scored by a loss of
 * its own); the graph's inputs are its {@link Input} nodes, in the order they were added.
 */
public final class Graph {
    private final List<Node> nodes = new ArrayList<>();
    private final List<Node> inputs = new ArrayList<>();
    private final List<Node> outputs = new ArrayList<>();

    /** A graph with no node yet: add its inputs with {@link #addInput}. */
    public Graph() {
    }

    /** A graph with one input, named "input", whose examples have {@code inputShape}. */
    public Graph(Shape inputShape) {
        addInput("input", inputShape);
    }

    /** A graph whose examples are rows of {@code inputWidth} features. */
    public Graph(int inputWidth) {
        this(Shape.of(inputWidth));
    }

    /** Adds an input of the graph: examples of {@code shape}, loaded before each step. */
    public Node addInput(String name, Shape shape) {
        Node node = new Node(nodes.size(), name, new Input(shape), List.of());
        nodes.add(node);
        inputs.add(node);
        return node;
    }

    /** The graph's first input. */
    public Node input() {
        if (inputs.isEmpty()) {
            throw new IllegalStateException("the graph has no input yet");
        }
        return inputs.get(0);
    }

    /** The graph's inputs in the order they were added: the order in which examples are loaded. */
    public List<Node> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    /** Adds {@code op} reading {@code from}, which must belong to this graph. */
    public Node add(String name, Op op, Node from) {
        return add(name, op, List.of(from == null ? missing(name) : from));
    }

    /** Adds {@code op} reading {@code from} (several for a merge op), each of which must belong to this graph. */
    public Node add(String name, Op op, List<Node> from) {
        if (op instanceof Input) {
            throw new IllegalArgumentException("node '" + name + "': add inputs with addInput");
        }
        if (from.isEmpty()) {
            throw new IllegalArgumentException("node '" + name + "' reads no node");
        }
        for (Node f : from) {
            if (f == null || f.id() >= nodes.size() || nodes.get(f.id()) != f) {
                throw new IllegalArgumentException("node '" + name + "' reads " + f + ", which is not in this graph");
            }
        }
        Node node = new Node(nodes.size(), name, op, from);
        nodes.add(node);
        return node;
    }

    private static Node missing(String name) {
        throw new IllegalArgumentException("node '" + name + "' reads null, which is not in this graph");
    }

    /**
     * Makes {@code node} an output of the graph, after those marked before: it gets a loss (and targets)
     * of its own when compiled. An output may also feed later nodes.
     */
    public Node markOutput(Node node) {
        if (node == null || node.id() >= nodes.size() || nodes.get(node.id()) != node) {
            throw new IllegalArgumentException("output " + node + " is not a node of this graph");
        }
        if (node.op() instanceof Input) {
            throw new IllegalArgumentException("output '" + node.name() + "' is an input; an output must be an operation");
        }
        if (outputs.contains(node)) {
            throw new IllegalArgumentException("node '" + node.name() + "' is marked as an output twice");
        }
        outputs.add(node);
        return node;
    }

    /** The outputs in the order they were marked; the last node alone when none was marked. */
    public List<Node> outputs() {
        if (outputs.isEmpty()) {
            return nodes.isEmpty() ? List.of() : List.of(nodes.get(nodes.size() - 1));
        }
        return Collections.unmodifiableList(outputs);
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /**
     * The parameters in the order their nodes were added, each once: a parameter that several nodes
     * read (a shared layer) is listed where its first reader is.
     */
    public List<Parameter> parameters() {
        return distinctParameters(nodes);
    }

    static List<Parameter> distinctParameters(List<Node> nodes) {
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Parameter> ps = new ArrayList<>();
        for (Node n : nodes) {
            for (Parameter p : n.op().parameters()) {
                if (seen.add(p)) {
                    ps.add(p);
                }
            }
        }
        return ps;
    }
}
