package dev.kiln.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The label column of a CSV file, kept compact while it is read. Each row holds the index of its label
 * among the distinct label texts seen so far (4 bytes a row: a million rows of three classes keep three
 * strings and a million ints). A column of more than {@link #MAX_DISTINCT} distinct texts can only be
 * values to regress (no classifier has that many classes), so from then on each row keeps its label as a
 * float instead and the texts are dropped: memory stays at 4 bytes a row plus at most the
 * {@code MAX_DISTINCT} texts.
 */
final class CsvLabels {
    /** As many labels as there are direct class indices, 0..{@link CsvReader#MAX_DIRECT_CLASS}. */
    static final int MAX_DISTINCT = CsvReader.MAX_DIRECT_CLASS + 1;

    private final Map<String, Integer> idOfText = new HashMap<>();
    private List<String> texts = new ArrayList<>();
    /** Per row, the index of its text in {@link #texts}; null once there are too many texts. */
    private int[] ids = new int[64];
    /** Per row, the label as a float; used instead of {@link #ids} once there are too many texts. */
    private float[] floats;
    private int rows;
    private boolean allNumbers = true;
    private boolean allIntegers = true;
    /** The first label that is not a number in float range, and its line: the error if they are values. */
    private String firstNonFloat;
    private long firstNonFloatLine;

    void add(String text, long line) {
        if (ids != null) {
            Integer id = idOfText.get(text);
            if (id == null) {
                id = texts.size();
                if (id == MAX_DISTINCT) {
                    switchToFloats();
                    add(text, line);
                    return;
                }
                idOfText.put(text, id);
                texts.add(text);
                check(text, line);
            }
            ids = ArrayGrowth.toHold(ids, rows + 1, ArrayGrowth.MAX_LENGTH);
            ids[rows++] = id;
        } else {
            check(text, line);
            floats = ArrayGrowth.toHold(floats, rows + 1, ArrayGrowth.MAX_LENGTH);
            floats[rows++] = floatOrNaN(text);
        }
    }

    private void switchToFloats() {
        floats = floatsOfIds();
        ids = null;
        texts = null;
        idOfText.clear();
    }

    /** Notes, once per distinct text (or per row after the switch), what kind of labels the column holds. */
    private void check(String text, long line) {
        boolean number = CsvReader.NUMBER.matcher(text).matches();
        allNumbers &= number;
        if (number) {
            double value = Double.parseDouble(text);
            allIntegers &= value == Math.rint(value) && !Double.isInfinite(value);
        }
        if (firstNonFloat == null && (!number || Float.isInfinite(Float.parseFloat(text)))) {
            firstNonFloat = text;
            firstNonFloatLine = line;
        }
    }

    private static float floatOrNaN(String text) {
        return CsvReader.NUMBER.matcher(text).matches() ? Float.parseFloat(text) : Float.NaN;
    }

    int rows() {
        return rows;
    }

    boolean allNumbers() {
        return allNumbers;
    }

    /** Every label is a number with no fraction (only meaningful when {@link #allNumbers()}). */
    boolean allIntegers() {
        return allIntegers;
    }

    /** Whether the labels can still be read as classes: at most {@link #MAX_DISTINCT} distinct texts. */
    boolean textsKept() {
        return ids != null;
    }

    /** The first label that is not a number in float range, or null; see {@link #firstNonFloatLine()}. */
    String firstNonFloat() {
        return firstNonFloat;
    }

    long firstNonFloatLine() {
        return firstNonFloatLine;
    }

    /** The distinct texts in order of first appearance; the ids of {@link #ids()} index into it. */
    List<String> texts() {
        return texts;
    }

    /** Per row, the index of its label in {@link #texts()}, in a new array of exactly one entry a row. */
    int[] ids() {
        return Arrays.copyOf(ids, rows);
    }

    /** Per row, the label as a float (valid when every label is a number in float range). */
    float[] floats() {
        return floats != null ? Arrays.copyOf(floats, rows) : floatsOfIds();
    }

    private float[] floatsOfIds() {
        float[] valueOfId = new float[texts.size()];
        for (int id = 0; id < valueOfId.length; id++) {
            valueOfId[id] = floatOrNaN(texts.get(id));
        }
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = valueOfId[ids[r]];
        }
        return out;
    }
}
