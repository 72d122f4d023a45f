package dev.kiln;

import static dev.kiln.KerasFileFuzzTest.CONFIG;
import static dev.kiln.KerasFileFuzzTest.WEIGHTS;
import static dev.kiln.KerasFileFuzzTest.entries;
import static dev.kiln.KerasFileFuzzTest.storedZip;
import static dev.kiln.KerasFileFuzzTest.withEntry;
import static dev.kiln.testing.UncheckedFileErrors.assertCause;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.memory.Tensor;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.Huber;
import dev.kiln.testing.AllocatedBytes;
import dev.kiln.testing.HandMadeZip;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile Keras files, each built on purpose from a file Keras wrote (the fixtures of
 * {@link KerasFixturesTest}): every one is refused with a {@link ModelFormatException} whose message
 * names what is wrong (the variable's path in the weights file, the config field, the zip entry),
 * before anything beyond the file's declared sizes is allocated; a refused {@code loadWeights} leaves
 * the model as it was, and neither a refused load nor a save leaves a file behind.
 */
class KerasFileRefusalTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    // ---- the zip container --------------------------------------------------------------------------

    @Test
    void aTruncatedKerasFileIsRefusedWhereverItEnds() throws IOException {
        byte[] file = fixture("dense_relu_adam");
        Map<String, byte[]> parts = entries(file);
        int weightsStart = indexOf(file, "model.weights.h5".getBytes()) + "model.weights.h5".length();
        // Inside the first entry's header, inside config.json, inside the weights, in the central directory.
        int weightsEnd = weightsStart + parts.get(WEIGHTS).length;
        for (int length : new int[] {0, 3, 20, 100, 2_000, weightsStart + 500, weightsEnd - 1, file.length - 30,
            file.length - 1}) {
            String message = assertRefused(Arrays.copyOf(file, length));
            assertTrue(Stream.of("truncated", "ends", "not a .keras", "follow its header", "end of the central")
                    .anyMatch(message::contains), length + " bytes: " + message);
        }
        assertRefused(Arrays.copyOf(file, weightsStart + 500), "entry 'model.weights.h5' claims 24368 bytes but only"
                + " 500 bytes of the file follow its header");
    }

    @Test
    void aCompressedWeightsEntryIsRefusedBeforeItIsInflated() throws IOException {
        Map<String, byte[]> parts = entries(fixture("dense_relu_adam"));
        byte[] zip = new HandMadeZip().addStored("metadata.json", parts.get("metadata.json"))
                .addStored(CONFIG, parts.get(CONFIG)).addDeflated(WEIGHTS, parts.get(WEIGHTS)).toBytes();
        assertRefused(zip, "entry 'model.weights.h5' is compressed");
    }

    @Test
    void aZipBombConfigIsRefusedWhileInflating() throws IOException {
        Map<String, byte[]> parts = entries(fixture("dense_relu_adam"));
        byte[] spaces = new byte[17 << 20];
        Arrays.fill(spaces, (byte) ' ');
        byte[] deflated = HandMadeZip.deflate(spaces);
        // Its header tells the truth: refused from the header, before inflating anything.
        byte[] honest = new HandMadeZip().addStored("metadata.json", parts.get("metadata.json"))
                .add(HandMadeZip.deflated(CONFIG, spaces, deflated), deflated).addStored(WEIGHTS, parts.get(WEIGHTS))
                .toBytes();
        assertTrue(honest.length < 200_000, "a small file: " + honest.length);
        assertRefused(honest, "entry 'config.json' claims 17825792 bytes; at most 16777216");
        // Its header says 4 KB: refused once inflating passes the 4 KB.
        byte[] lying = new HandMadeZip().addStored("metadata.json", parts.get("metadata.json"))
                .add(HandMadeZip.deflated(CONFIG, spaces, deflated).withSizes(deflated.length, 4_096), deflated)
                .addStored(WEIGHTS, parts.get(WEIGHTS)).toBytes();
        assertRefused(lying, "entry 'config.json' inflates to more than the 4096 bytes its header declares");
        for (byte[] file : List.of(honest, lying)) {
            long allocated = AllocatedBytes.by(() -> load(file).close());
            assertTrue(allocated < 4 << 20, "refusing it allocated " + allocated + " bytes");
        }
    }

    @Test
    void entriesOtherThanKerasOwnThreeAreRefused() throws IOException {
        Map<String, byte[]> parts = entries(fixture("dense_relu_adam"));
        Map<String, byte[]> withAssets = new LinkedHashMap<>(parts);
        withAssets.put("assets/vocabulary.txt", "a\nb\n".getBytes());
        assertRefused(storedZip(withAssets), "holds assets ('assets/vocabulary.txt')");

        Map<String, byte[]> extra = new LinkedHashMap<>(parts);
        extra.put("notes.txt", "hello".getBytes());
        assertRefused(storedZip(extra), "unexpected zip entry 'notes.txt'");

        byte[] twice = new HandMadeZip().addStored("metadata.json", parts.get("metadata.json"))
                .addStored(CONFIG, parts.get(CONFIG)).addStored(WEIGHTS, parts.get(WEIGHTS))
                .addStored(CONFIG, parts.get(CONFIG)).toBytes();
        assertRefused(twice, "entry 'config.json' appears twice");

        Map<String, byte[]> noWeights = new LinkedHashMap<>(parts);
        noWeights.remove(WEIGHTS);
        assertRefused(storedZip(noWeights), "lacks model.weights.h5");
    }

    // ---- config.json ----------------------------------------------------------------------------------

    @Test
    void layersKilnDoesNotHaveAreRefusedByName() throws IOException {
        for (String type : List.of("Embedding", "LSTM", "MultiHeadAttention")) {
            byte[] file = editConfig("dense_relu_adam", root -> layerConfig(root, 2).put("class_name", type));
            assertRefused(file, "config.json.config.layers[2].class_name is '" + type + "'");
        }
        // A user's own class named as one of Keras' is not Keras' (Keras itself looks it up by registered
        // name, then by module): a custom "Dense", registered or not, and a custom "Adam". A layer registered
        // by a package name is a user's layer, which this program has not made (Layers.custom).
        assertRefused(editConfig("dense_relu_adam", root -> layerConfig(root, 2).put("module", "my_layers")
                .put("registered_name", "my_layers>Dense")), "config.json.config.layers[2].registered_name: "
                + "'my_layers>Dense' is a custom layer that is not registered in this program; define it before "
                + "loading, Layers.custom(\"my_layers>Dense\")");
        assertRefused(editConfig("dense_relu_adam", root -> layerConfig(root, 1).put("module", "__main__")
                .put("registered_name", "Dense")), "config.json.config.layers[1] is a custom class");
        assertRefused(editConfig("dense_relu_adam", root -> ((ObjectNode) root.get("compile_config")
                .get("optimizer")).put("registered_name", "Custom>Adam")),
                "config.json.compile_config.optimizer is a custom class");
        assertRefused(editConfig("dense_relu_adam", root -> ((ObjectNode) config(root, 1).get("kernel_initializer"))
                .put("module", "my_init")), "config.json.config.layers[1].config.kernel_initializer is a custom class");
    }

    @Test
    void kerasLayerOptionsKilnCannotHonourAreRefusedByField() throws IOException {
        // A frozen layer ("trainable": false) loads frozen now: the frozen_named_adam fixture and FreezingTest.
        // Keras' model.trainable = False freezes every layer, whatever each layer's own flag says.
        ObjectNode frozenModel = (ObjectNode) JSON.readTree(entries(fixture("dense_relu_adam")).get(CONFIG));
        ((ObjectNode) frozenModel.get("config")).put("trainable", false);
        assertEquals(List.of(false, false, false, false, false),
                ModelConfig.fromKerasJson(JSON.writeValueAsBytes(frozenModel), "m.keras").trainable());
        assertRefused(editConfig("dense_relu_adam", root -> config(root, 1).set("kernel_constraint",
                JSON.createObjectNode().put("class_name", "NonNeg").set("config", JSON.createObjectNode()))),
                "config.json.config.layers[1].config.kernel_constraint must be null");
        assertRefused(editConfig("dense_relu_adam", root -> ((ObjectNode) config(root, 1).get("dtype").get("config"))
                .put("name", "mixed_float16")), "config.json.config.layers[1].config.dtype is mixed_float16");
        assertRefused(editConfig("dense_relu_adam", root -> config(root, 1).put("dtype", "float64")),
                "config.json.config.layers[1].config.dtype is float64");
        assertRefused(editConfig("dense_relu_adam", root -> config(root, 1).set("kernel_initializer",
                JSON.createObjectNode().put("module", "keras.initializers").put("class_name", "Orthogonal")
                        .set("config", JSON.createObjectNode()))), "config.json.config.layers[1]", "orthogonal");
        assertRefused(editConfig("dense_relu_adam", root -> config(root, 1).put("activation", "mish")),
                "config.json.config.layers[1]", "mish");
    }

    @Test
    void optionsOfParticularLayersAreRefusedByField() throws IOException {
        assertRefused(editConfig("dense_relu_adam", root -> config(root, 1).set("activity_regularizer",
                JSON.createObjectNode().put("module", "keras.regularizers").put("class_name", "L2")
                        .set("config", JSON.createObjectNode().put("l2", 0.01)))),
                "config.json.config.layers[1].config.activity_regularizer must be null");
        assertRefused(editConfig("dropout_adam", root -> config(root, indexOf(root, "Dropout"))
                .set("noise_shape", JSON.createArrayNode().addNull().add(1))), ".config.noise_shape is set");
        assertRefused(editConfig("batchnorm_sgd_momentum", root -> config(root, indexOf(root, "BatchNormalization"))
                .put("renorm", true)), ".config.renorm is true; Kiln's BatchNormalization has no batch renormalization");
    }

    @Test
    void kerasFunctionsGivenAsLossAndMetricLoadByTheirNames() throws IOException {
        // compile(loss=keras.losses.sparse_categorical_crossentropy, metrics=[keras.metrics.sparse_categorical_accuracy])
        byte[] file = editConfig("dense_relu_adam", root -> {
            ObjectNode compile = (ObjectNode) root.get("compile_config");
            compile.set("loss", function("keras.losses", "sparse_categorical_crossentropy"));
            compile.set("metrics", JSON.createArrayNode().add(function("keras.metrics", "sparse_categorical_accuracy")));
        });
        try (Model model = load(file)) {
            assertEquals("sparse_categorical_crossentropy", model.loss().name());
            assertEquals("sparse_categorical_accuracy", model.metrics().get(0).name());
        }
        try (Model model = load(editConfig("dense_relu_adam", root -> ((ObjectNode) root.get("compile_config"))
                .set("loss", function("keras.losses", "huber"))))) {
            assertEquals(new Huber(), model.loss());
        }
        assertRefused(editConfig("dense_relu_adam", root -> ((ObjectNode) root.get("compile_config"))
                .set("loss", function("keras.losses", "cosine_similarity"))), "unknown loss 'cosine_similarity'");
    }

    /** Keras' Huber.get_config leaves delta out (Keras 3.15), so Keras' own Huber object reads as δ = 1. */
    @Test
    void aKerasHuberObjectWithoutDeltaLoadsWithKerasDefault() throws IOException {
        byte[] file = editConfig("dense_relu_adam", root -> {
            ObjectNode loss = JSON.createObjectNode().put("module", "keras.losses").put("class_name", "Huber");
            loss.putObject("config").put("name", "huber_loss").put("reduction", "sum_over_batch_size");
            ((ObjectNode) root.get("compile_config")).set("loss", loss);
        });
        try (Model model = load(file)) {
            assertEquals(new Huber(1.0), model.loss());
        }
    }

    private static ObjectNode function(String module, String name) {
        return JSON.createObjectNode().put("module", module).put("class_name", "function").put("config", name)
                .put("registered_name", name);
    }

    @Test
    void aFileOfKeras2IsRefusedByItsVersion() throws IOException {
        Map<String, byte[]> parts = entries(fixture("dense_relu_adam"));
        byte[] metadata = "{\"keras_version\": \"2.15.0\", \"date_saved\": \"2024-01-01@00:00:00\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertRefused(withEntry(parts, "metadata.json", metadata),
                "metadata.json says Keras 2.15.0 wrote this file; Kiln reads the layout of Keras 3");
    }

    /** The position of the first layer of class {@code type} in the config's layers. */
    private static int indexOf(JsonNode root, String type) {
        JsonNode layers = root.get("config").get("layers");
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).get("class_name").asText().equals(type)) {
                return i;
            }
        }
        throw new AssertionError("no " + type + " in the fixture");
    }

    @Test
    void kerasOptimizerOptionsKilnCannotHonourAreRefusedByField() throws IOException {
        assertRefused(editConfig("dense_relu_adam", root -> optimizer(root).put("use_ema", true)),
                "config.json.compile_config.optimizer.config.use_ema is true");
        assertRefused(editConfig("dense_relu_adam", root -> optimizer(root).put("amsgrad", true)),
                "config.json.compile_config.optimizer.config.amsgrad is true");
        assertRefused(editConfig("dense_relu_adam", root -> optimizer(root).put("weight_decay", 0.01)),
                "config.json.compile_config.optimizer.config.weight_decay is 0.01");
        assertRefused(editConfig("dense_relu_adam", root -> optimizer(root).put("gradient_accumulation_steps", 4)),
                "config.json.compile_config.optimizer.config.gradient_accumulation_steps is 4");
        assertRefused(editConfig("layernorm_rmsprop", root -> optimizer(root).put("momentum", 0.9)),
                "config.json.compile_config.optimizer.config.momentum is 0.9");
        assertRefused(editConfig("layernorm_rmsprop", root -> optimizer(root).put("centered", true)),
                "config.json.compile_config.optimizer.config.centered is true");
        assertRefused(editConfig("dense_relu_adam", root -> ((ObjectNode) root.get("compile_config").get("optimizer"))
                .put("class_name", "Lion")), "config.json.compile_config.optimizer.class_name is 'Lion'");
    }

    @Test
    void aHugeLayerInTheConfigIsRefusedBeforeItIsBuilt() throws IOException {
        // Two billion units would need 48 GB for the kernel alone; the file holds 74 weights.
        byte[] file = editConfig("dense_relu_adam", root -> config(root, 1).put("units", 2_000_000_000));
        assertRefused(file, "model.weights.h5 holds 35 weights for layer 1, 'dense' (layers/dense/vars: [0 [6, 5],"
                + " 1 [5]]), but config.json's Dense there has 14000000000");
        long allocated = AllocatedBytes.by(() -> load(file).close());
        assertTrue(allocated < 16 << 20, "refusing it allocated " + allocated + " bytes");
        byte[] wide = editConfig("dense_relu_adam", root -> {
            ((com.fasterxml.jackson.databind.node.ArrayNode) config(root, 0).get("batch_shape")).set(1, 2_000_000_000);
            ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("build_config").get("input_shape"))
                    .set(1, 2_000_000_000);
        });
        assertRefused(wide, "weights for layer 1, 'dense'", "config.json's Dense there has 10000000005");
        assertTrue(AllocatedBytes.by(() -> load(wide).close()) < 16 << 20);
    }

    // ---- model.weights.h5 -----------------------------------------------------------------------------

    @Test
    void aKernelOfAnotherDtypeIsRefusedNamingIt() throws IOException {
        float[][] kernel = (float[][]) weights("dense_relu_adam").get("layers/dense/vars/0");
        double[][] wider = new double[kernel.length][kernel[0].length];
        int[][] integers = new int[kernel.length][kernel[0].length];
        for (int i = 0; i < kernel.length; i++) {
            for (int j = 0; j < kernel[0].length; j++) {
                wider[i][j] = kernel[i][j];
                integers[i][j] = Math.round(kernel[i][j]);
            }
        }
        assertWeightsRefused("dense_relu_adam", w -> w.put("layers/dense/vars/0", wider),
                "'layers/dense/vars/0' holds FloatingPoint of 8 bytes, shape [6, 5]; Kiln reads float32 variables");
        assertWeightsRefused("dense_relu_adam", w -> w.put("layers/dense_1/vars/1", new int[4]),
                "'layers/dense_1/vars/1' holds FixedPoint of 4 bytes, shape [4]; Kiln reads float32 variables");
        assertWeightsRefused("dense_relu_adam", w -> w.put("layers/dense/vars/0", integers),
                "'layers/dense/vars/0' holds FixedPoint");
        // The step count must be an integer.
        assertOptimizerRefused("dense_relu_adam", w -> w.put("optimizer/vars/0", 3.0f),
                "'optimizer/vars/0' must be an integer scalar (the optimizer's step count)");
    }

    @Test
    void aKernelOfAnotherShapeIsRefusedNamingIt() throws IOException {
        assertWeightsRefused("dense_relu_adam", w -> w.put("layers/dense/vars/0", new float[5][6]),
                "'layers/dense/vars/0' has shape [5, 6] but the model's variable there has shape [6, 5]");
        assertWeightsRefused("conv_small", w -> w.put("layers/conv2d/vars/0", new float[3][3][3][2]),
                "'layers/conv2d/vars/0' has shape [3, 3, 3, 2] but the model's variable there has shape [3, 3, 2, 3]");
        // Another number of values: a whole file's sizes are compared first, layer by layer.
        assertWeightsRefused("conv_small", w -> w.put("layers/conv2d/vars/1", new float[1][4]), "conv2d/vars",
                "[1, 4]");
        assertRefused(withEntry(entries(fixture("conv_small")), WEIGHTS, h5(changed("conv_small",
                w -> w.put("layers/conv2d/vars/1", new float[1][4])))), "model.weights.h5 holds 58 weights for layer 1,"
                + " 'conv2d' (layers/conv2d/vars: [0 [3, 3, 2, 3], 1 [1, 4]]), but config.json's Conv2D there has 57");
        assertOptimizerRefused("dense_relu_adam", w -> w.put("optimizer/vars/2", new float[5][6]),
                "'optimizer/vars/2' has shape [5, 6]");
    }

    @Test
    void aMissingVariableIsRefusedNamingTheLayer() throws IOException {
        assertWeightsRefused("dense_relu_adam", w -> w.remove("layers/dense_1/vars/1"),
                "'dense_1'", "layers/dense_1/vars");
        assertWeightsRefused("batchnorm_sgd_momentum", w -> w.remove("layers/batch_normalization/vars/3"),
                "'batch_normalization'", "layers/batch_normalization/vars");
        // A layer's variables without their layer.
        assertWeightsRefused("dense_relu_adam", w -> w.keySet().removeIf(k -> k.startsWith("layers/dense_2/")),
                "'dense_2'", "layers/dense_2/vars");
    }

    @Test
    void anExtraDatasetIsRefusedNamingIt() throws IOException {
        assertWeightsRefused("dense_relu_adam", w -> w.put("notes/vars/0", new float[] {1, 2}), "notes/vars/0");
        assertWeightsRefused("dense_relu_adam", w -> w.put("layers/dense/vars/2", new float[] {1}), "'dense'",
                "layers/dense/vars");
        assertWeightsRefused("dense_relu_adam", w -> w.put("layers/activation/vars/0", new float[] {1}),
                "'activation'");
    }

    @Test
    void valuesALayerCannotHoldAreRefusedNamingTheVariable() throws IOException {
        assertWeightsRefused("dense_relu_adam", w -> ((float[][]) w.get("layers/dense/vars/0"))[2][3] = Float.NaN,
                "tensor 'layers/dense/vars/0' element 13 is NaN");
        assertWeightsRefused("dense_relu_adam", w -> ((float[]) w.get("layers/dense_2/vars/1"))[0] =
                Float.POSITIVE_INFINITY, "tensor 'layers/dense_2/vars/1' element 0 is Infinity");
        assertWeightsRefused("batchnorm_sgd_momentum", w -> ((float[]) w.get("layers/batch_normalization/vars/3"))[1]
                = -1f, "tensor 'layers/batch_normalization/vars/3' element 1 is -1.0", ">= 0");
        assertOptimizerRefused("dense_relu_adam", w -> w.put("optimizer/vars/1", Float.NaN),
                "optimizer/vars/1 (the learning rate) is NaN");
        assertOptimizerRefused("dense_relu_adam", w -> w.put("optimizer/vars/0", -5), "'optimizer/vars/0'", "-5");
        assertOptimizerRefused("dense_relu_adam", w -> ((float[]) w.get("optimizer/vars/13"))[2] = -1f,
                "tensor 'optimizer/vars/13' element 2 is -1.0");
    }

    @Test
    void theOptimizersVariablesMustBeAllOfThem() throws IOException {
        assertOptimizerRefused("dense_relu_adam", w -> w.remove("optimizer/vars/13"),
                "holds 13 optimizer variables; this model's Adam keeps 14");
        assertOptimizerRefused("dense_relu_adam", w -> w.put("optimizer/vars/14", new float[] {0}),
                "holds 15 optimizer variables; this model's Adam keeps 14");
        assertOptimizerRefused("sgd_plain", w -> w.put("optimizer/vars/2", new float[] {0}), "optimizer variables");
    }

    @Test
    void aDatasetDeclaringMoreBytesThanTheFileHoldsIsRefusedBeforeReading() throws IOException {
        // The dataspace of layers/dense/vars/0 as h5py writes it: [6, 5] then the same maximum dimensions,
        // 8 bytes each; the first such pair in the file is that dataset's (the optimizer's slots follow).
        // Made [6, 2^40]: 26 TB declared in a 24 KB file.
        byte[] h5 = entries(fixture("dense_relu_adam")).get(WEIGHTS).clone();
        int at = indexOf(h5, dataspace(6, 5));
        assertTrue(at > 0 && at < weightsAddress("dense_relu_adam", "layers/dense/vars/1"), "found at " + at);
        for (long huge : new long[] {1L << 28, 1L << 40}) {
            byte[] changed = h5.clone();
            ByteBuffer.wrap(changed).order(ByteOrder.LITTLE_ENDIAN).putLong(at + 8, huge).putLong(at + 24, huge);
            byte[] file = withEntry(entries(fixture("dense_relu_adam")), WEIGHTS, changed);
            // 2^28: the declared 6 GB are compared with the file; 2^40: jhdf itself refuses the dataspace.
            assertRefused(file, huge == 1L << 28 ? "declares 6442451720 bytes of variables but holds only 24368"
                    + " bytes (the largest, 'layers/dense/vars/0', declares 6442450944)" : "layers/dense/vars");
            long allocated = AllocatedBytes.by(() -> load(file).close());
            assertTrue(allocated < 16 << 20, "refusing it allocated " + allocated + " bytes");

            Path bare = dir.resolve("huge.weights.h5");
            Files.write(bare, changed);
            try (Model model = Model.load(base().resolve("dense_relu_adam.keras"))) {
                assertCause(ModelFormatException.class, () -> model.loadWeights(bare));
                assertTrue(AllocatedBytes.by(() -> model.loadWeights(bare)) < 16 << 20);
            }
        }
    }

    /**
     * A dataset whose declared byte count passes 2^63 (jhdf's own product wraps around to a negative
     * number) must not offset the others: here the first Dense is made a million units wide in the config
     * and in its variables' declared shapes (44 MB that the 24 KB file does not hold), and optimizer/vars/2
     * declares [2^31-1, 2^31-1] 3-byte values. Kiln used to add the negative size, find the file big
     * enough, and build the model before refusing it.
     */
    @Test
    void aDatasetWhoseSizeOverflowsCannotHideTheOthers() throws IOException {
        long units = 1_000_000;
        Map<String, byte[]> parts = entries(fixture("dense_relu_adam"));
        byte[] h5 = parts.get(WEIGHTS).clone();
        ByteBuffer b = ByteBuffer.wrap(h5).order(ByteOrder.LITTLE_ENDIAN);
        // h5py's dataspaces: the dimensions, then the same again as the maximum dimensions, 8 bytes each.
        int kernel = indexOf(h5, dataspace(6, 5)); // layers/dense/vars/0, then the optimizer's slots for it
        b.putLong(kernel + 8, units).putLong(kernel + 24, units);
        int bias = indexOf(h5, dataspace(5), weightsAddress("dense_relu_adam", "layers/dense/vars/1"));
        b.putLong(bias, units).putLong(bias + 8, units);
        int next = indexOf(h5, dataspace(5, 4)); // layers/dense_1/vars/0
        b.putLong(next, units).putLong(next + 16, units);
        int slot = indexOf(h5, dataspace(6, 5), kernel + 1); // optimizer/vars/2
        b.putLong(slot, Integer.MAX_VALUE).putLong(slot + 8, Integer.MAX_VALUE).putLong(slot + 16, Integer.MAX_VALUE)
                .putLong(slot + 24, Integer.MAX_VALUE);
        assertEquals(0x11, h5[slot + 40] & 0xFF, "the float32 datatype follows the dataspace");
        b.putInt(slot + 44, 3); // its element size
        byte[] file = editConfig("dense_relu_adam", root -> config(root, 1).put("units", units), h5);
        assertRefused(file, "'optimizer/vars/2' declares shape [2147483647, 2147483647] of 3-byte values");
        long allocated = AllocatedBytes.by(() -> load(file).close());
        assertTrue(allocated < 16 << 20, "refusing it allocated " + allocated + " bytes");
    }

    /**
     * A chunked dataset (the layout HDF5's compression filters need, so the way to an HDF5 bomb) is
     * refused from its layout message, before any chunk is looked up or inflated: here the contiguous
     * layout of layers/dense/vars/0 (version 3, class 1, address, size 120) is rewritten as a chunked one.
     */
    @Test
    void aChunkedDatasetIsRefusedBeforeItsChunksAreRead() throws IOException {
        byte[] h5 = entries(fixture("dense_relu_adam")).get(WEIGHTS).clone();
        ByteBuffer b = ByteBuffer.wrap(h5).order(ByteOrder.LITTLE_ENDIAN);
        int layout = -1;
        for (int i = 0; i + 18 <= h5.length && layout < 0; i++) {
            if (h5[i] == 3 && h5[i + 1] == 1 && b.getLong(i + 10) == 6 * 5 * Float.BYTES) {
                layout = i; // the first is layers/dense/vars/0's; the optimizer's slots for it follow
            }
        }
        assertTrue(layout > 0 && layout < weightsAddress("dense_relu_adam", "layers/dense/vars/1"));
        // Version 3, class 2 (chunked), 3 dimensions (the data's 2 and the element size), the chunk index
        // at the superblock, chunks of [6, 5] 4-byte values.
        b.put(layout + 1, (byte) 2).put(layout + 2, (byte) 3).putLong(layout + 3, 0).putInt(layout + 11, 6)
                .putInt(layout + 15, 5).putInt(layout + 19, 4);
        assertWeightsRefusedAsBytes("dense_relu_adam", h5, "'layers/dense/vars/0' is stored CHUNKED");
    }

    @Test
    void bytesThatAreNotHdf5AreRefused() throws IOException {
        assertRefused(withEntry(entries(fixture("dense_relu_adam")), WEIGHTS, "not hdf5 at all".getBytes()),
                "model.weights.h5", "is not a weights file Kiln can read");
        assertRefused(withEntry(entries(fixture("dense_relu_adam")), WEIGHTS, new byte[0]), "model.weights.h5");
    }

    // ---- loadWeights and files left behind -----------------------------------------------------------

    @Test
    void aRefusedLoadWeightsLeavesTheModelAsItWas() throws IOException {
        Path base = base();
        float[][] x = Tensor.fromNpy(base.resolve("dense_relu_adam.x.npy")).toRows();
        // The first two layers' variables are fine; the last layer's kernel has the wrong shape.
        Map<String, Object> w = weights("dense_relu_adam");
        ((float[][]) w.get("layers/dense/vars/0"))[0][0] = 42f;
        w.put("layers/dense_2/vars/0", new float[3][4]);
        Path file = dir.resolve("bad.weights.h5");
        Files.write(file, h5(w));
        try (Model model = Model.load(base.resolve("dense_relu_adam.keras"))) {
            List<float[]> before = model.getWeights();
            float[][] predicted = model.predict(x);
            ModelFormatException e = assertCause(ModelFormatException.class, () -> model.loadWeights(file));
            assertTrue(e.getMessage().contains("'layers/dense_2/vars/0' has shape [3, 4]"), e.getMessage());
            List<float[]> after = model.getWeights();
            assertEquals(before.size(), after.size());
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), "weight " + i);
            }
            assertTrue(Arrays.deepEquals(predicted, model.predict(x)));

            // The same file fixed loads, and the changed value is there.
            w.put("layers/dense_2/vars/0", weights("dense_relu_adam").get("layers/dense_2/vars/0"));
            Files.write(file, h5(w));
            model.loadWeights(file);
            assertEquals(42f, model.getWeights().get(0)[0]);
        }
    }

    @Test
    void weightsOfAnotherModelAreRefusedByLoadWeights() throws IOException {
        Path base = base();
        try (Model model = Model.load(base.resolve("dense_relu_adam.keras"))) {
            List<float[]> before = model.getWeights();
            ModelFormatException e = assertCause(ModelFormatException.class,
                    () -> model.loadWeights(base.resolve("conv_small.weights.h5")));
            assertTrue(e.getMessage().contains("conv_small.weights.h5: "), e.getMessage());
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), model.getWeights().get(i));
            }
        }
    }

    @Test
    void aRefusedLoadLeavesNoFileAndASaveLeavesOnlyItsFile() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> tempBefore = kilnTempFiles(tmp);
        Path bad = dir.resolve("bad.keras");
        Files.write(bad, Arrays.copyOf(fixture("dense_relu_adam"), 20_000));
        assertCause(ModelFormatException.class, () -> Model.load(bad));
        assertEquals(List.of(bad), list(dir));

        Path saved = dir.resolve("saved.keras");
        try (Model model = Model.load(base().resolve("dense_relu_adam.keras"))) {
            model.save(saved);
            model.save(saved); // over an existing file
            model.saveWeights(dir.resolve("saved.weights.h5"));
        }
        assertEquals(List.of(bad, saved, dir.resolve("saved.weights.h5")), list(dir));
        assertEquals(tempBefore, kilnTempFiles(tmp), "temporary HDF5 files are deleted");
        try (Model again = Model.load(saved)) {
            assertTrue(again.iterations() > 0);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static Path base() {
        try {
            return KerasFixturesTest.fixtures();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(base().resolve(name + ".keras"));
    }

    private Model load(byte[] file) throws IOException {
        Path path = dir.resolve("test.keras");
        Files.write(path, file);
        try {
            return Model.load(path);
        } finally {
            Files.delete(path);
        }
    }

    /** The file is refused, in a message that starts with its path and holds each of {@code expected}. */
    private String assertRefused(byte[] file, String... expected) {
        ModelFormatException e = assertCause(ModelFormatException.class, () -> load(file).close());
        String message = e.getMessage();
        Path path = dir.resolve("test.keras");
        assertTrue(message.startsWith(path + ": ") || message.startsWith(path + "!/model.weights.h5: "), message);
        for (String part : expected) {
            assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
        }
        assertTrue(message.length() < 2_000, "a readable message: " + message.length() + " characters");
        return message;
    }

    /**
     * The fixture's weights, changed, must be refused both inside its .keras file (Model.load) and as a
     * .weights.h5 of their own loaded into the fixture's model (loadWeights), each message naming every
     * expected part.
     */
    private void assertWeightsRefused(String fixture, Consumer<Map<String, Object>> change, String... expected)
            throws IOException {
        byte[] h5 = changedWeights(fixture, change, expected);
        Path file = dir.resolve("changed.weights.h5");
        Files.write(file, h5);
        try (Model model = Model.load(base().resolve(fixture + ".keras"))) {
            ModelFormatException e = assertCause(ModelFormatException.class, () -> model.loadWeights(file));
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            for (String part : expected) {
                assertTrue(e.getMessage().contains(part), "loadWeights: expected '" + part + "' in: "
                        + e.getMessage());
            }
        } finally {
            Files.delete(file);
        }
    }

    /** As {@link #assertWeightsRefused}, for a weights file's bytes changed by hand. */
    private void assertWeightsRefusedAsBytes(String fixture, byte[] h5, String... expected) throws IOException {
        assertRefused(withEntry(entries(fixture(fixture)), WEIGHTS, h5), expected);
        Path file = dir.resolve("changed.weights.h5");
        Files.write(file, h5);
        try (Model model = Model.load(base().resolve(fixture + ".keras"))) {
            ModelFormatException e = assertCause(ModelFormatException.class, () -> model.loadWeights(file));
            for (String part : expected) {
                assertTrue(e.getMessage().contains(part), "loadWeights: expected '" + part + "' in: "
                        + e.getMessage());
            }
        } finally {
            Files.delete(file);
        }
    }

    /**
     * The fixture's optimizer variables, changed, are refused inside its .keras file; loadWeights, which
     * reads the layers' variables alone, loads the same weights file.
     */
    private void assertOptimizerRefused(String fixture, Consumer<Map<String, Object>> change, String... expected)
            throws IOException {
        byte[] h5 = changedWeights(fixture, change, expected);
        Path file = dir.resolve("changed.weights.h5");
        Files.write(file, h5);
        try (Model model = Model.load(base().resolve(fixture + ".keras"))) {
            long steps = model.iterations();
            model.loadWeights(file);
            assertEquals(steps, model.iterations(), "loadWeights leaves the optimizer alone");
        } finally {
            Files.delete(file);
        }
    }

    /** The fixture's weights file changed; the .keras file holding it is refused naming each expected part. */
    private byte[] changedWeights(String fixture, Consumer<Map<String, Object>> change, String... expected)
            throws IOException {
        Map<String, Object> w = weights(fixture);
        change.accept(w);
        byte[] h5 = h5(w);
        assertRefused(withEntry(entries(fixture(fixture)), WEIGHTS, h5), expected);
        return h5;
    }

    private static Map<String, Object> changed(String fixture, Consumer<Map<String, Object>> change)
            throws IOException {
        Map<String, Object> w = weights(fixture);
        change.accept(w);
        return w;
    }

    /** The datasets of a fixture's model.weights.h5 by path, in the file's order, with their values. */
    static Map<String, Object> weights(String fixture) throws IOException {
        byte[] h5 = entries(fixture(fixture)).get(WEIGHTS);
        Map<String, Object> out = new LinkedHashMap<>();
        try (HdfFile file = HdfFile.fromBytes(h5)) {
            collect(file, "", out);
        }
        return out;
    }

    private static void collect(Group group, String prefix, Map<String, Object> out) {
        for (Node node : group.getChildren().values()) {
            if (node instanceof Dataset d) {
                out.put(prefix + node.getName(), d.getData());
            } else if (node instanceof Group g) {
                collect(g, prefix + node.getName() + "/", out);
            }
        }
    }

    /** An HDF5 file (written by jhdf) holding the datasets at their paths. */
    static byte[] h5(Map<String, Object> datasets) {
        try {
            Path temp = Files.createTempFile("keras-refusal-", ".h5");
            try {
                try (WritableHdfFile file = HdfFile.write(temp)) {
                    Map<String, WritableGroup> groups = new LinkedHashMap<>();
                    for (Map.Entry<String, Object> d : datasets.entrySet()) {
                        String path = d.getKey();
                        int slash = path.lastIndexOf('/');
                        WritableGroup parent = group(file, groups, path.substring(0, slash));
                        parent.putDataset(path.substring(slash + 1), d.getValue());
                    }
                }
                return Files.readAllBytes(temp);
            } finally {
                Files.delete(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WritableGroup group(WritableHdfFile file, Map<String, WritableGroup> groups, String path) {
        WritableGroup known = groups.get(path);
        if (known != null) {
            return known;
        }
        int slash = path.lastIndexOf('/');
        WritableGroup made = slash < 0 ? file.putGroup(path)
                : group(file, groups, path.substring(0, slash)).putGroup(path.substring(slash + 1));
        groups.put(path, made);
        return made;
    }

    private static byte[] editConfig(String fixture, Consumer<ObjectNode> change) throws IOException {
        return editConfig(fixture, change, null);
    }

    /** The fixture's .keras file with its config changed and, unless null, other weights. */
    private static byte[] editConfig(String fixture, Consumer<ObjectNode> change, byte[] weights) throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>(entries(fixture(fixture)));
        ObjectNode root = (ObjectNode) JSON.readTree(parts.get(CONFIG));
        change.accept(root);
        parts.put(CONFIG, JSON.writeValueAsBytes(root));
        if (weights != null) {
            parts.put(WEIGHTS, weights);
        }
        return storedZip(parts);
    }

    /** An h5py dataspace's sizes: the dimensions, then the same as the maximum dimensions, 8 bytes each. */
    private static byte[] dataspace(long... dims) {
        ByteBuffer b = ByteBuffer.allocate(16 * dims.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long d : dims) {
            b.putLong(d);
        }
        for (long d : dims) {
            b.putLong(d);
        }
        return b.array();
    }

    /** Where a dataset's object header lies in a fixture's model.weights.h5. */
    private static long weightsAddress(String fixture, String path) throws IOException {
        try (HdfFile file = HdfFile.fromBytes(entries(fixture(fixture)).get(WEIGHTS))) {
            return file.getDatasetByPath(path).getAddress();
        }
    }

    private static ObjectNode layerConfig(JsonNode root, int layer) {
        return (ObjectNode) root.get("config").get("layers").get(layer);
    }

    private static ObjectNode config(JsonNode root, int layer) {
        return (ObjectNode) layerConfig(root, layer).get("config");
    }

    private static ObjectNode optimizer(JsonNode root) {
        return (ObjectNode) root.get("compile_config").get("optimizer").get("config");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle, long from) {
        outer:
        for (int i = (int) from; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        }
    }

    private static List<Path> kilnTempFiles(Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("kiln-")
                    && p.getFileName().toString().endsWith(".weights.h5")).sorted().toList();
        }
    }
}
