package dev.kiln.io;

import static dev.kiln.Layers.Activation;
import static dev.kiln.Layers.Add;
import static dev.kiln.Layers.AveragePooling2D;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Concatenate;
import static dev.kiln.Layers.Conv2D;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.GlobalAveragePooling2D;
import static dev.kiln.Layers.GlobalMaxPooling2D;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.LayerNormalization;
import static dev.kiln.Layers.MaxPooling2D;
import static dev.kiln.Layers.Multiply;
import static dev.kiln.Layers.Reshape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layers.CustomLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.NamedLayer;
import dev.kiln.regularizers.L2;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every layer Kiln has is registered under its Keras class name and reads back what it writes. */
class LayerTypesTest {
    /** One of each layer, with settings away from the defaults where a layer has any. */
    private static final List<Layer> ONE_OF_EACH = List.of(Input(2, 3), Dense(4, "relu", false, "he_normal", "ones")
            .kernelRegularizer(new L2(0.5)), Activation("tanh"), Dropout(0.25), Flatten(),
            LayerNormalization().epsilon(1e-5).center(false), BatchNormalization().momentum(0.5).scale(false),
            Conv2D(8, 3, "relu").kernelSize(3, 5).strides(2, 1).padding("same").useBias(false).kernelInitializer("he_normal")
                    .kernelRegularizer(new L2(0.25)),
            MaxPooling2D(3).strides(1, 2).padding("same"), AveragePooling2D(2).strides(1), GlobalAveragePooling2D(),
            GlobalMaxPooling2D(), Reshape(4, -1, 2), Add(), Multiply(), Concatenate());

    @Test
    void everyLayerClassIsRegisteredUnderItsTypeName() {
        Set<Class<?>> covered = ONE_OF_EACH.stream().map(Object::getClass).collect(Collectors.toSet());
        // A new layer class must join ONE_OF_EACH, and so this test's round trip. NamedLayer is a name around
        // a layer, saved as that layer's config "name", not a Keras class of its own. A CustomLayer is the
        // user's class, read by its registered name from the registry (CustomLayerTest), not by a class name.
        Set<Class<?>> layerClasses = layerClasses(Layer.class);
        layerClasses.remove(NamedLayer.class);
        layerClasses.remove(CustomLayer.class);
        assertEquals(layerClasses, covered);
        assertEquals(ONE_OF_EACH.stream().map(Layer::typeName).toList(), LayerTypes.classNames());
    }

    /** The classes that implement {@code type}, through sealed sub-interfaces such as MergeLayer. */
    private static Set<Class<?>> layerClasses(Class<?> type) {
        Set<Class<?>> out = new java.util.HashSet<>();
        for (Class<?> c : type.getPermittedSubclasses()) {
            if (c.isInterface()) {
                out.addAll(layerClasses(c));
            } else {
                out.add(c);
            }
        }
        return out;
    }

    @Test
    void eachLayerReadsBackWhatItWrites() throws ModelFormatException {
        for (Layer layer : ONE_OF_EACH) {
            ObjectNode entry = LayerConfigs.layer(layer, "some_name", true);
            assertEquals("some_name", entry.get("config").get("name").textValue());
            assertEquals(layer, LayerConfigs.parseLayer(new JsonFields(entry, "layers[0]", "test")), layer.typeName());
        }
    }

    @Test
    void anUnknownClassNameListsTheKnownOnes() throws ModelFormatException {
        ObjectNode entry = LayerConfigs.layer(Flatten(), "f", true);
        entry.put("class_name", "Conv3D");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> LayerConfigs.parseLayer(new JsonFields(entry, "layers[0]", "test")));
        assertTrue(e.getMessage().endsWith("layers[0].class_name is 'Conv3D'; this Kiln reads InputLayer, Dense, Activation,"
                + " Dropout, Flatten, LayerNormalization, BatchNormalization, Conv2D, MaxPooling2D, AveragePooling2D,"
                + " GlobalAveragePooling2D, GlobalMaxPooling2D, Reshape, Add, Multiply and Concatenate layers"),
                e.getMessage());
    }
}
