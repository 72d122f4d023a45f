package dev.kiln;

import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.LayerCall;
import dev.kiln.layers.SymbolicTensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which layer reads which: a chain for a Sequential model, any acyclic graph for a functional one.
 * Each place is one application of a layer; a shared layer is at several places.
 * Layers are in an order where each comes after those it reads (a functional model's inputs first, in
 * the order given), and the last layer gives the model's output unless {@code outputs} lists several.
 *
 * @param layers the layers in that order
 * @param reads for each layer, the places of the layers whose outputs it reads, in the order it reads
 *        them: empty for a functional model's input, {@link #MODEL_DATA} for a chain's first layer (it
 *        reads the rows passed to fit)
 * @param inputs the places of the layers that receive the model's inputs, in the order data is passed;
 *        empty for a chain (its data go to its first layer)
 */
record LayerGraph(List<Layer> layers, List<int[]> reads, List<Integer> inputs, List<Integer> outputs) {
    /** What a chain's first layer reads: the model's rows. */
    static final int MODEL_DATA = -1;

    LayerGraph {
        layers = List.copyOf(layers);
        reads = List.copyOf(reads);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** A graph whose output is its last layer. */
    LayerGraph(List<Layer> layers, List<int[]> reads, List<Integer> inputs) {
        this(layers, reads, inputs, List.of(layers.size() - 1));
    }

    /** Each layer reading the one before it; the first reads the model's rows. */
    static LayerGraph chain(List<Layer> layers) {
        List<int[]> reads = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            reads.add(new int[] {i == 0 ? MODEL_DATA : i - 1});
        }
        return new LayerGraph(layers, reads, List.of());
    }

    /**
     * The graph of the layers between {@code inputs} and {@code output}, found by walking back from the
     * output; refuses an output that depends on an input not listed and an input the output does not use.
     * A layer applied several times (a shared layer) is at several places, one per application, all
     * reading and training the layer's one set of weights.
     *
     * <p>The layers come in the order Keras 3 gives a functional model's layers, which its files depend
     * on (a layer's weights are keyed by its class and its place in that order): deepest first, depth
     * being the longest path to the output, and among equally deep layers the one a depth-first walk
     * from the output (inputs in order) reaches first. A shared layer is as deep as its deepest
     * application, and Keras raises the depth of an application it reaches after a deeper one of the
     * same layer (and so of what that application reads) to that depth; Kiln does the same, so that
     * its places list each layer first where Keras lists it.
     */
    static LayerGraph functional(List<InputLayer> inputs, SymbolicTensor output) {
        if (output == null) {
            throw new IllegalArgumentException("the model's output is null");
        }
        return functional(inputs, List.of(output));
    }

    /**
     * As {@link #functional(List, SymbolicTensor)} for a model with several outputs: the walk starts from
     * each output in turn (as Keras 3's does), every output is as deep as 0 unless another output reads it,
     * and {@link #outputs} are the outputs' places in the order given.
     */
    static LayerGraph functional(List<InputLayer> inputs, List<SymbolicTensor> outputs) {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("a functional model needs at least one Input");
        }
        if (outputs == null || outputs.isEmpty()) {
            throw new IllegalArgumentException("the model has no output; expected at least one");
        }
        Set<SymbolicTensor> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int k = 0; k < outputs.size(); k++) {
            SymbolicTensor output = outputs.get(k);
            String which = outputs.size() == 1 ? "the model's output" : "output " + k;
            if (output == null) {
                throw new IllegalArgumentException(which + " is null");
            }
            if (!(output instanceof LayerCall)) {
                throw new IllegalArgumentException(which + " is one of its inputs: apply at least one layer");
            }
            if (!distinct.add(output)) {
                throw new IllegalArgumentException(which + " is listed twice; each output needs a layer of its own");
            }
        }
        Map<SymbolicTensor, Integer> declared = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            InputLayer in = inputs.get(i);
            if (in == null) {
                throw new IllegalArgumentException("input " + i + " is null");
            }
            Integer earlier = declared.put(in, i);
            if (earlier != null) {
                throw new IllegalArgumentException("input " + i + " is listed twice (it is input " + earlier + ")");
            }
        }
        Walk walk = Walk.from(outputs, declared);
        for (int i = 0; i < inputs.size(); i++) {
            if (!walk.preorder.containsKey(inputs.get(i))) {
                throw new IllegalArgumentException("input " + i + " (" + inputs.get(i).exampleShape() + ") is not"
                        + " used to compute the output: remove it from the model's inputs");
            }
        }
        // Walking back from the output, an application is at least one deeper than each of its readers and
        // at least as deep as the layer's applications seen before it (as Keras 3 computes depths).
        Map<SymbolicTensor, Integer> depth = new IdentityHashMap<>();
        Map<Layer, Integer> layerDepth = new IdentityHashMap<>();
        for (SymbolicTensor output : outputs) {
            depth.put(output, 0);
        }
        for (SymbolicTensor t : walk.postorder.reversed()) {
            int d = Math.max(depth.getOrDefault(t, 0), layerDepth.getOrDefault(layerOf(t), 0));
            layerDepth.put(layerOf(t), d);
            depth.put(t, d);
            for (SymbolicTensor in : readsOf(t)) {
                depth.merge(in, d + 1, Math::max);
            }
        }
        // A layer's rank among equally deep ones: when the walk first reached any of its applications.
        Map<Layer, Integer> reached = new IdentityHashMap<>();
        for (SymbolicTensor t : walk.postorder) {
            reached.merge(layerOf(t), walk.preorder.get(t), Math::min);
        }
        List<SymbolicTensor> order = new ArrayList<>(walk.postorder);
        order.sort(Comparator.<SymbolicTensor>comparingInt(depth::get).reversed()
                .thenComparingInt(t -> reached.get(layerOf(t)))
                .thenComparingInt(walk.preorder::get));
        Map<SymbolicTensor, Integer> place = new IdentityHashMap<>();
        List<Layer> layers = new ArrayList<>();
        List<int[]> reads = new ArrayList<>();
        for (SymbolicTensor t : order) {
            List<SymbolicTensor> from = readsOf(t);
            int[] places = new int[from.size()];
            for (int k = 0; k < places.length; k++) {
                places[k] = place.get(from.get(k));
            }
            place.put(t, layers.size());
            layers.add(t instanceof LayerCall call ? call.layer() : (InputLayer) t);
            reads.add(places);
        }
        List<Integer> inputPlaces = new ArrayList<>();
        for (InputLayer in : inputs) {
            inputPlaces.add(place.get(in));
        }
        List<Integer> outputPlaces = new ArrayList<>();
        for (SymbolicTensor output : outputs) {
            outputPlaces.add(place.get(output));
        }
        return new LayerGraph(layers, reads, inputPlaces, outputPlaces);
    }

    private static Layer layerOf(SymbolicTensor t) {
        return t instanceof LayerCall call ? call.layer() : (InputLayer) t;
    }

    private static List<SymbolicTensor> readsOf(SymbolicTensor t) {
        return t instanceof LayerCall call ? call.inputs() : List.of();
    }

    /** A depth-first walk from the output: when each tensor is first reached, and an order with inputs before readers. */
    private record Walk(Map<SymbolicTensor, Integer> preorder, List<SymbolicTensor> postorder) {
        /** Without recursion: a deep model must not overflow the stack. */
        static Walk from(List<SymbolicTensor> outputs, Map<SymbolicTensor, Integer> inputs) {
            Map<SymbolicTensor, Integer> preorder = new IdentityHashMap<>();
            Map<SymbolicTensor, Boolean> finished = new IdentityHashMap<>();
            List<SymbolicTensor> postorder = new ArrayList<>();
            Deque<SymbolicTensor> stack = new ArrayDeque<>();
            for (SymbolicTensor output : outputs) {
                stack.push(output);
                walk(stack, preorder, finished, postorder, inputs);
            }
            return new Walk(preorder, postorder);
        }

        private static void walk(Deque<SymbolicTensor> stack, Map<SymbolicTensor, Integer> preorder,
                Map<SymbolicTensor, Boolean> finished, List<SymbolicTensor> postorder,
                Map<SymbolicTensor, Integer> inputs) {
            while (!stack.isEmpty()) {
                SymbolicTensor t = stack.peek();
                if (finished.containsKey(t)) {
                    stack.pop();
                    continue;
                }
                if (!preorder.containsKey(t)) {
                    preorder.put(t, preorder.size());
                    if (t instanceof InputLayer && !inputs.containsKey(t)) {
                        throw new IllegalArgumentException("the output depends on an Input that is not among the"
                                + " model's inputs (" + inputs.size() + " given): list every Input the output is"
                                + " computed from");
                    }
                    List<SymbolicTensor> from = readsOf(t);
                    for (int k = from.size() - 1; k >= 0; k--) {
                        if (!finished.containsKey(from.get(k))) {
                            stack.push(from.get(k));
                        }
                    }
                    continue;
                }
                stack.pop();
                finished.put(t, Boolean.TRUE);
                postorder.add(t);
            }
        }
    }

    /**
     * Each layer once, where it is first applied: what {@code model.layers()} gives, as Keras lists a
     * shared layer once.
     */
    List<Layer> distinctLayers() {
        Set<Layer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return layers.stream().filter(seen::add).toList();
    }

    /** For each distinct layer, the places of its applications, in order (Keras' node indices 0, 1, ...). */
    List<List<Integer>> applications() {
        Map<Layer, List<Integer>> byLayer = new IdentityHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            byLayer.computeIfAbsent(layers.get(i), l -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> out = new ArrayList<>();
        for (Layer l : distinctLayers()) {
            out.add(List.copyOf(byLayer.get(l)));
        }
        return out;
    }

    /** For each place, which of {@link #distinctLayers()} stands there. */
    int[] layerAtPlaces() {
        int[] at = new int[layers.size()];
        List<List<Integer>> applications = applications();
        for (int l = 0; l < applications.size(); l++) {
            for (int place : applications.get(l)) {
                at[place] = l;
            }
        }
        return at;
    }

    /** {@code perLayer} (one value per distinct layer) spread over the places: a shared layer's at each of its. */
    <T> List<T> perPlace(List<T> perLayer) {
        List<T> out = new ArrayList<>();
        for (int l : layerAtPlaces()) {
            out.add(perLayer.get(l));
        }
        return List.copyOf(out);
    }

    /** Which application of its layer the layer at {@code place} is: 0 for the first (Keras' node index). */
    int applicationIndex(int place) {
        int k = 0;
        for (int i = 0; i < place; i++) {
            if (layers.get(i) == layers.get(place)) {
                k++;
            }
        }
        return k;
    }

    /** True when some layer is applied more than once. */
    boolean hasSharedLayers() {
        return distinctLayers().size() < layers.size();
    }

    /** True for a Sequential model's chain. */
    boolean isChain() {
        return inputs.isEmpty();
    }

    /** The layers from an input to the (first) output, following each layer's first input: what the loss's checks see. */
    List<Layer> outputPath() {
        return outputPath(0);
    }

    /** As {@link #outputPath()}, to output {@code output}. */
    List<Layer> outputPath(int output) {
        Deque<Layer> path = new ArrayDeque<>();
        int at = outputs.get(output);
        while (at >= 0) {
            path.addFirst(layers.get(at));
            at = reads.get(at).length == 0 ? MODEL_DATA : reads.get(at)[0];
        }
        return List.copyOf(path);
    }
}
