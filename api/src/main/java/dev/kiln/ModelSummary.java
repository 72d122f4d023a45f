package dev.kiln;

import dev.kiln.core.memory.Shape;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Renders Keras' summary table: layer (type), output shape, parameter count, then the totals. */
final class ModelSummary {
    private ModelSummary() {
    }

    static String render(Model model) {
        StringBuilder sb = new StringBuilder();
        boolean functional = !model.topology().isChain();
        sb.append(functional ? "Model: \"functional\"\n" : "Model: \"sequential\"\n");
        if (!model.isBuilt()) {
            sb.append("This model has not yet been built. Build it by calling fit, predict or evaluate,"
                    + " or start it with an Input layer.\n");
            return sb.toString();
        }
        List<String[]> rows = new ArrayList<>();
        long total = 0;
        long nonTrainable = 0;
        LayerGraph topology = model.topology();
        boolean[] trainable = model.trainableFlags();
        ExampleShapes shapes = model.exampleShapes();
        // One row per layer, as Keras has it: a shared layer's row shows its first application's shapes
        // and connects to what every application reads.
        for (List<Integer> applications : topology.applications()) {
            int i = applications.get(0);
            Layer l = topology.layers().get(i);
            if (l instanceof InputLayer && !functional) {
                continue; // Keras lists a Sequential's layers after its input (a functional model's inputs too)
            }
            long params = l.parameterCount(shapes.input(i));
            // As Keras: a frozen layer's weights all count as non-trainable, from the moment it is frozen.
            nonTrainable += trainable[model.layerAt(i)] ? l.nonTrainableParameterCount(shapes.input(i)) : params;
            total += params;
            String[] row = {model.placeNames().get(i) + " (" + l.typeName() + ")", describe(shapes.output(i)),
                    String.format(Locale.ROOT, "%,d", params)};
            rows.add(functional ? Arrays.copyOf(row, 4) : row);
            if (functional) {
                rows.getLast()[3] = connections(model, applications);
            }
        }
        String[] header = functional ? new String[] {"Layer (type)", "Output Shape", "Param #", "Connected to"}
                : new String[] {"Layer (type)", "Output Shape", "Param #"};
        int[] w = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            w[c] = header[c].length();
            for (String[] r : rows) {
                w[c] = Math.max(w[c], r[c].length());
            }
            w[c] += 2;
        }
        sb.append(line('┏', '━', '┳', '┓', w));
        sb.append(cells('┃', header, w));
        sb.append(line('┡', '━', '╇', '┩', w));
        for (int i = 0; i < rows.size(); i++) {
            sb.append(cells('│', rows.get(i), w));
            if (i + 1 < rows.size()) {
                sb.append(line('├', '─', '┼', '┤', w));
            }
        }
        sb.append(line('└', '─', '┴', '┘', w));
        sb.append(String.format(Locale.ROOT, " Total params: %,d (%s)%n", total, bytes(total)));
        sb.append(String.format(Locale.ROOT, " Trainable params: %,d (%s)%n", total - nonTrainable,
                bytes(total - nonTrainable)));
        sb.append(String.format(Locale.ROOT, " Non-trainable params: %,d (%s)%n", nonTrainable, bytes(nonTrainable)));
        return sb.toString();
    }

    /**
     * Keras' "Connected to" column: what every application of the layer reads, as {@code name[k][0]}
     * for the k-th application of layer {@code name}, or "-" for an input.
     */
    private static String connections(Model model, List<Integer> applications) {
        List<String> from = new ArrayList<>();
        for (int place : applications) {
            for (int r : model.topology().reads().get(place)) {
                from.add(model.placeNames().get(r) + "[" + model.topology().applicationIndex(r) + "][0]");
            }
        }
        return from.isEmpty() ? "-" : String.join(", ", from);
    }

    /** Keras' form, with the batch axis: "(None, 28, 28)". */
    private static String describe(Shape shape) {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : shape.dims()) {
            sb.append(", ").append(d);
        }
        return sb.append(')').toString();
    }

    private static String line(char left, char fill, char mid, char right, int[] w) {
        StringBuilder sb = new StringBuilder().append(left);
        for (int c = 0; c < w.length; c++) {
            sb.append(String.valueOf(fill).repeat(w[c]));
            sb.append(c + 1 < w.length ? mid : right);
        }
        return sb.append('\n').toString();
    }

    private static String cells(char border, String[] values, int[] w) {
        StringBuilder sb = new StringBuilder().append(border);
        for (int c = 0; c < values.length; c++) {
            String v = values[c];
            // Parameter counts are right-aligned, as Keras prints them.
            String padded = c == 2 ? " ".repeat(w[c] - v.length() - 1) + v + " " : " " + v + " ".repeat(w[c] - v.length() - 1);
            sb.append(padded).append(border);
        }
        return sb.append('\n').toString();
    }

    private static String bytes(long params) {
        double b = params * 4.0;
        if (b < 1024) {
            return String.format(Locale.ROOT, "%.2f B", b);
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.2f KB", b / 1024);
        }
        return String.format(Locale.ROOT, "%.2f MB", b / (1024 * 1024));
    }
}
