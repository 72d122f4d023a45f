package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.graph.CompiledGraph;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything training changes in a model, copied: weights, every optimizer slot and the step count.
 * Two snapshots that are equal mean the model is exactly as it was.
 */
record ModelState(List<float[]> weights, List<float[]> slots, long iterations) {
    static ModelState of(Model model) {
        List<float[]> slots = new ArrayList<>();
        CompiledGraph graph = model.compiledGraph();
        if (graph != null) {
            for (int s = 0; s < graph.optimizerSlots(); s++) {
                for (int p = 0; p < graph.parameters().size(); p++) {
                    slots.add(graph.readSlot(s, p));
                }
            }
        }
        return new ModelState(model.getWeights(), slots, model.iterations());
    }

    void assertSameAs(ModelState other, String context) {
        assertEquals(weights.size(), other.weights.size(), context + ": weight count");
        for (int i = 0; i < weights.size(); i++) {
            assertArrayEquals(weights.get(i), other.weights.get(i), context + ": weight " + i);
        }
        assertEquals(slots.size(), other.slots.size(), context + ": optimizer slot count");
        for (int i = 0; i < slots.size(); i++) {
            assertArrayEquals(slots.get(i), other.slots.get(i), context + ": optimizer slot " + i);
        }
        assertEquals(iterations, other.iterations, context + ": iterations");
    }
}
