/**
 * Kiln: what users import. {@code Sequential}, {@code Layers}, {@code Model}, {@code FitOption} and the
 * families of layers, losses, optimizers, metrics, callbacks, initializers, activations and
 * regularizers, reading data, and the saved-file formats.
 *
 * <p>The engine stays behind it: of {@code dev.kiln.core} only {@code dev.kiln.core.memory}
 * ({@code Tensor}, {@code Shape}) is visible, and it comes with this module ({@code requires
 * transitive}) because the API's own signatures take and return its types. {@code dev.kiln.internal}
 * holds what several API packages share (the name registries) and is not exported.
 */
module dev.kiln {
    requires transitive dev.kiln.core;

    requires com.fasterxml.jackson.databind;
    // HistoryPlot draws with AWT into a BufferedImage (PNG) or VectorGraphics2D (SVG).
    requires java.desktop;
    // Datasets downloads a missing data set.
    requires java.net.http;
    requires org.apache.commons.csv;
    // Keras' weights files are HDF5.
    requires io.jhdf;
    requires org.knowm.xchart;
    requires org.slf4j;
    // xchart's SVG export library; its jar names no module, so its name comes from the file name.
    requires VectorGraphics2D;

    exports dev.kiln;
    exports dev.kiln.activations;
    exports dev.kiln.callbacks;
    exports dev.kiln.data;
    exports dev.kiln.initializers;
    exports dev.kiln.io;
    exports dev.kiln.layers;
    exports dev.kiln.losses;
    exports dev.kiln.metrics;
    exports dev.kiln.ops;
    exports dev.kiln.optimizers;
    exports dev.kiln.optimizers.schedules;
    exports dev.kiln.regularizers;
}
