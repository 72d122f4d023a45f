package dev.kiln.io;

import dev.kiln.layers.ActivationLayer;
import dev.kiln.layers.AddLayer;
import dev.kiln.layers.AveragePooling2DLayer;
import dev.kiln.layers.BatchNormalizationLayer;
import dev.kiln.layers.ConcatenateLayer;
import dev.kiln.layers.Conv2DLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.DropoutLayer;
import dev.kiln.layers.FlattenLayer;
import dev.kiln.layers.GlobalAveragePooling2DLayer;
import dev.kiln.layers.GlobalMaxPooling2DLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.LayerNormalizationLayer;
import dev.kiln.layers.MaxPooling2DLayer;
import dev.kiln.layers.MultiplyLayer;
import dev.kiln.layers.ReshapeLayer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layers a {@code .kiln} file may hold: Keras' {@code class_name} → the layer's own reader. A new
 * layer adds one line here; its class writes and reads its fields itself.
 */
final class LayerTypes {
    /** Reads one layer from its config fields; a layer class's static {@code fromConfig}. */
    @FunctionalInterface
    interface Reader {
        Layer read(ConfigReader config) throws ModelFormatException;
    }

    private static final Map<String, Reader> READERS = new LinkedHashMap<>();

    static {
        READERS.put("InputLayer", InputLayer::fromConfig);
        READERS.put("Dense", DenseLayer::fromConfig);
        READERS.put("Activation", ActivationLayer::fromConfig);
        READERS.put("Dropout", DropoutLayer::fromConfig);
        READERS.put("Flatten", FlattenLayer::fromConfig);
        READERS.put("LayerNormalization", LayerNormalizationLayer::fromConfig);
        READERS.put("BatchNormalization", BatchNormalizationLayer::fromConfig);
        READERS.put("Conv2D", Conv2DLayer::fromConfig);
        READERS.put("MaxPooling2D", MaxPooling2DLayer::fromConfig);
        READERS.put("AveragePooling2D", AveragePooling2DLayer::fromConfig);
        READERS.put("GlobalAveragePooling2D", GlobalAveragePooling2DLayer::fromConfig);
        READERS.put("GlobalMaxPooling2D", GlobalMaxPooling2DLayer::fromConfig);
        READERS.put("Reshape", ReshapeLayer::fromConfig);
        READERS.put("Add", AddLayer::fromConfig);
        READERS.put("Multiply", MultiplyLayer::fromConfig);
        READERS.put("Concatenate", ConcatenateLayer::fromConfig);
    }

    private LayerTypes() {
    }

    /** The reader of {@code className}, or null when Kiln has no such layer. */
    static Reader reader(String className) {
        return READERS.get(className);
    }

    /** The class names, in the order they were registered. */
    static List<String> classNames() {
        return Collections.unmodifiableList(new ArrayList<>(READERS.keySet()));
    }
}
