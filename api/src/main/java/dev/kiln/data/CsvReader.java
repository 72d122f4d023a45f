package dev.kiln.data;

import dev.kiln.core.io.FileKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a CSV file of numbers into features and labels, with Apache Commons CSV doing the parsing
 * (RFC 4180 quoting, any delimiter). Every row must have as many fields as the first; every feature
 * must be a finite decimal number ({@code 3}, {@code -0.5}, {@code 1e-3}); empty lines are skipped,
 * spaces around values ignored, and a UTF-8 byte-order mark dropped.
 *
 * <p>Problems are {@link CsvFormatException}s naming the file, the line and the column. There are no
 * lengths in a CSV file to check before allocating: memory grows with the rows actually read. Each row's
 * text is parsed straight into its {@code float[]} and then dropped, and a label is kept as a 4-byte index
 * into its distinct texts (see {@link CsvLabels}), so reading needs about 4 bytes per value plus about 40
 * per row (the row array's header, references and its label), and at most a few megabytes for the distinct
 * label texts; docs/data.md gives measured peaks.
 *
 * <pre>{@code
 * TabularData data = CsvReader.read(Path.of("iris.csv"), CsvOption.labelColumn("species"));
 * }</pre>
 */
public final class CsvReader {
    static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final char BYTE_ORDER_MARK = '\uFEFF';
    /** Integer labels up to this are their own class index; beyond it they are numbered in sorted order. */
    static final int MAX_DIRECT_CLASS = 65_535;

    private CsvReader() {
    }

    /**
     * Reads {@code file}; see {@link CsvOption} for the options and {@link TabularData} for how labels
     * become classes.
     *
     * @throws CsvFormatException if the file is empty, not UTF-8, badly quoted, ragged, holds a value that
     *         is not a number, or lacks the label column
     * @throws IOException if the file cannot be read
     */
    public static TabularData read(Path file, CsvOption... options) throws IOException {
        Settings settings = Settings.of(options);
        if (Files.size(file) == 0) {
            throw new CsvFormatException(file, "is empty");
        }
        String otherKind = FileKind.mismatch(file, "CSV text", FileKind.TEXT);
        if (otherKind != null) {
            throw new CsvFormatException(file, otherKind);
        }
        try (BufferedReader reader = utf8(file); CSVParser parser = CSVParser.parse(reader, format(settings))) {
            return new Table(file, settings).read(parser);
        } catch (CharacterCodingException e) {
            throw new CsvFormatException(file, "is not UTF-8 text", e);
        }
    }

    static CSVFormat format(Settings settings) {
        return CSVFormat.DEFAULT.builder()
                .setDelimiter(settings.delimiter)
                .setIgnoreEmptyLines(true)
                .setIgnoreSurroundingSpaces(true)
                .setTrim(true)
                .get();
    }

    static BufferedReader utf8(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder));
        reader.mark(1);
        if (reader.read() != BYTE_ORDER_MARK) {
            reader.reset();
        }
        return reader;
    }

    /** The options, defaults filled in; a later option of the same kind overrides an earlier one. */
    record Settings(CsvOption label, boolean header, char delimiter, CsvOption.LabelKind kind) {
        static Settings of(CsvOption... options) {
            CsvOption label = new CsvOption.LabelIndex(-1);
            boolean header = true;
            char delimiter = ',';
            CsvOption.LabelKind kind = CsvOption.LabelKind.AUTO;
            for (CsvOption option : options) {
                switch (option) {
                    case CsvOption.LabelName n -> label = n;
                    case CsvOption.LabelIndex i -> label = i;
                    case CsvOption.Header h -> header = h.present();
                    case CsvOption.Delimiter d -> delimiter = d.value();
                    case CsvOption.Labels l -> kind = l.kind();
                    case null -> throw new IllegalArgumentException("a CSV option is null");
                }
            }
            if (label instanceof CsvOption.LabelName n && !header) {
                throw new IllegalArgumentException("labelColumn(\"" + n.name() + "\") needs a header row to find the"
                        + " column by name; with header(false), give the column's index instead");
            }
            return new Settings(label, header, delimiter, kind);
        }
    }

    /** One read in progress: the column layout once known, and the rows gathered so far. */
    private static final class Table {
        private final Path file;
        private final Settings settings;
        private List<String> names;
        private int labelColumn = -1;
        /** The feature rows read so far, in an array grown as rows arrive; {@code rowCount} are used. */
        private float[][] rows = new float[64][];
        private int rowCount;
        private final CsvLabels labels = new CsvLabels();

        Table(Path file, Settings settings) {
            this.file = file;
            this.settings = settings;
        }

        TabularData read(CSVParser parser) throws IOException {
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    record = records.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    throw unparsable(parser, e);
                }
                long line = parser.getCurrentLineNumber();
                if (names == null) {
                    layout(record, line);
                    if (settings.header) {
                        continue;
                    }
                }
                addRow(record, line);
            }
            if (names == null) {
                throw new CsvFormatException(file, "holds no rows, only empty lines");
            }
            if (rowCount == 0) {
                throw new CsvFormatException(file, "has a header but no data rows");
            }
            return labelled();
        }

        private CsvFormatException unparsable(CSVParser parser, RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof CharacterCodingException) {
                return new CsvFormatException(file, "is not UTF-8 text (after line "
                        + parser.getCurrentLineNumber() + ")", cause);
            }
            return new CsvFormatException(file, "cannot be parsed as CSV near line " + (parser.getCurrentLineNumber() + 1)
                    + ": " + cause.getMessage(), cause);
        }

        /** Takes the column names (or counts the columns) from the first row and finds the label column. */
        private void layout(CSVRecord first, long line) throws CsvFormatException {
            int width = first.size();
            List<String> found = new ArrayList<>(width);
            for (int c = 0; c < width; c++) {
                found.add(settings.header ? first.get(c) : "column " + c);
            }
            if (width < 2) {
                throw new CsvFormatException(file, "line " + line + " has " + width + " column" + (width == 1 ? "" : "s")
                        + "; a table needs a label column and at least one feature column"
                        + (settings.delimiter == ',' ? " (is the delimiter something other than ','?)" : ""));
            }
            labelColumn = switch (settings.label) {
                case CsvOption.LabelName n -> columnNamed(n.name(), found);
                case CsvOption.LabelIndex i -> columnAt(i.index(), width);
                default -> throw new IllegalStateException("unexpected label option " + settings.label);
            };
            names = found;
        }

        private int columnNamed(String name, List<String> header) throws CsvFormatException {
            int at = header.indexOf(name);
            if (at < 0) {
                String hint = header.stream().filter(h -> h.equalsIgnoreCase(name)).findFirst()
                        .map(h -> " (did you mean '" + h + "'?)").orElse("");
                throw new CsvFormatException(file, "has no column named '" + name + "'" + hint
                        + "; its columns are " + header);
            }
            if (header.lastIndexOf(name) != at) {
                throw new CsvFormatException(file, "has two columns named '" + name + "' (" + at + " and "
                        + header.lastIndexOf(name) + "); give the label column's index instead");
            }
            return at;
        }

        private int columnAt(int index, int width) throws CsvFormatException {
            int at = index < 0 ? width + index : index;
            if (at < 0 || at >= width) {
                throw new CsvFormatException(file, "has " + width + " columns; label column " + index
                        + " is outside 0.." + (width - 1) + " (or -" + width + "..-1 counting from the end)");
            }
            return at;
        }

        private void addRow(CSVRecord record, long line) throws CsvFormatException {
            if (record.size() != names.size()) {
                throw new CsvFormatException(file, "line " + line + " has " + record.size() + " fields but "
                        + (settings.header ? "the header has " : "the first row has ") + names.size());
            }
            float[] row = new float[names.size() - 1];
            for (int c = 0, f = 0; c < names.size(); c++) {
                if (c != labelColumn) {
                    row[f++] = feature(record.get(c), line, c);
                }
            }
            String label = record.get(labelColumn);
            if (label.isEmpty()) {
                throw new CsvFormatException(file, "line " + line + ", " + column(labelColumn)
                        + ": the label is empty; every row needs one");
            }
            rows = ArrayGrowth.toHold(rows, rowCount + 1, ArrayGrowth.MAX_LENGTH);
            rows[rowCount++] = row;
            labels.add(label, line);
        }

        private float feature(String text, long line, int c) throws CsvFormatException {
            String where = "line " + line + ", " + column(c) + ": ";
            if (text.isEmpty()) {
                throw new CsvFormatException(file, where + "the value is empty; missing values are not supported,"
                        + " fill or drop them first");
            }
            if (!NUMBER.matcher(text).matches()) {
                throw new CsvFormatException(file, where + "'" + abbreviate(text) + "' is not a number"
                        + (isNonFinite(text) ? " Kiln can train on (NaN and infinity are refused)" : ""));
            }
            float value = Float.parseFloat(text);
            if (Float.isInfinite(value)) {
                throw new CsvFormatException(file, where + "'" + abbreviate(text) + "' is outside the float range");
            }
            return value;
        }

        private String column(int c) {
            return "column " + c + (settings.header ? " ('" + abbreviate(names == null ? "?" : names.get(c)) + "')" : "");
        }

        private TabularData labelled() throws CsvFormatException {
            float[][] x = Arrays.copyOf(rows, rowCount);
            rows = null;
            List<String> featureNames = new ArrayList<>(names);
            featureNames.remove(labelColumn);
            CsvOption.LabelKind kind = settings.kind;
            if (kind == CsvOption.LabelKind.AUTO) {
                kind = !labels.allNumbers() || labels.allIntegers() ? CsvOption.LabelKind.CLASSES
                        : CsvOption.LabelKind.VALUES;
            }
            if (kind == CsvOption.LabelKind.VALUES) {
                if (labels.firstNonFloat() != null) {
                    feature(labels.firstNonFloat(), labels.firstNonFloatLine(), labelColumn); // throws, naming it
                }
                return TabularData.regression(x, featureNames, labels.floats());
            }
            if (!labels.textsKept()) {
                throw new CsvFormatException(file, column(labelColumn) + " holds more than " + CsvLabels.MAX_DISTINCT
                        + " different labels, too many to be classes; if they are values to regress, read the"
                        + " file with CsvOption.regression()");
            }
            List<String> texts = labels.texts();
            double[] numeric = labels.allNumbers() ? texts.stream().mapToDouble(Double::parseDouble).toArray() : null;
            int[] classes = labels.ids();
            if (numeric != null && labels.allIntegers()
                    && Arrays.stream(numeric).allMatch(v -> v >= 0 && v <= MAX_DIRECT_CLASS)) {
                int max = 0;
                for (int i = 0; i < classes.length; i++) {
                    classes[i] = (int) numeric[classes[i]];
                    max = Math.max(max, classes[i]);
                }
                List<String> classNames = new ArrayList<>(max + 1);
                for (int k = 0; k <= max; k++) {
                    classNames.add(Integer.toString(k));
                }
                return TabularData.classification(x, featureNames, classes, classNames);
            }
            return numbered(x, featureNames, classes, texts, numeric);
        }

        /**
         * Distinct labels sorted (by value when all are numbers, so "1.0" and "1" are one class, named as it
         * first appears) and numbered; {@code ids} (each row's index into {@code texts}) become class indices.
         */
        private static TabularData numbered(float[][] x, List<String> featureNames, int[] ids, List<String> texts,
                double[] numeric) {
            Map<Object, String> sorted = numeric != null ? new TreeMap<>(Comparator.comparingDouble(o -> (Double) o))
                    : new TreeMap<>();
            for (int id = 0; id < texts.size(); id++) {
                sorted.putIfAbsent(key(id, texts, numeric), texts.get(id));
            }
            Map<Object, Integer> index = new HashMap<>();
            for (Object key : sorted.keySet()) {
                index.put(key, index.size());
            }
            int[] classOfId = new int[texts.size()];
            for (int id = 0; id < classOfId.length; id++) {
                classOfId[id] = index.get(key(id, texts, numeric));
            }
            for (int i = 0; i < ids.length; i++) {
                ids[i] = classOfId[ids[i]];
            }
            return TabularData.classification(x, featureNames, ids, List.copyOf(sorted.values()));
        }

        private static Object key(int id, List<String> texts, double[] numeric) {
            return numeric != null ? (Object) (numeric[id] + 0.0) : texts.get(id); // + 0.0 folds -0 into 0
        }

        private static boolean isNonFinite(String text) {
            String t = text.toLowerCase(Locale.ROOT).replace("+", "").replace("-", "");
            return t.equals("nan") || t.equals("inf") || t.equals("infinity");
        }

        private static String abbreviate(String text) {
            return text.length() <= 40 ? text : text.substring(0, 40) + "...";
        }
    }
}
