package dev.kiln.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Rows of a numeric CSV file, parsed line by line as the pass goes: the features are every column but
 * the label column, the label one number per row (a class index or a value). Unlike {@link CsvReader},
 * which sees the whole file first, a stream cannot number text classes, so every field must be a number.
 */
final class CsvRows implements RowSource {
    private final Path file;
    private final CsvReader.Settings settings;
    private final int width;
    private final int labelColumn;

    CsvRows(Path file, CsvOption... options) throws IOException {
        this.file = file;
        this.settings = CsvReader.Settings.of(options);
        try (Pass pass = new Pass()) {
            this.width = pass.columns;
            this.labelColumn = pass.label;
            if (!pass.hasNext()) {
                throw new CsvFormatException(file, "has no data rows");
            }
        }
    }

    @Override
    public long rows() {
        return -1; // known at the end of the file only
    }

    @Override
    public RowCursor open() throws IOException {
        Pass pass = new Pass();
        if (pass.columns != width || pass.label != labelColumn) {
            pass.close();
            throw new IllegalStateException(file + " changed since the dataset was made");
        }
        return pass;
    }

    /** One parse of the file, positioned after the header. */
    private final class Pass implements RowCursor {
        private final BufferedReader reader;
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private CSVRecord first;
        final int columns;
        final int label;

        Pass() throws IOException {
            reader = CsvReader.utf8(file);
            try {
                parser = CSVParser.parse(reader, CsvReader.format(settings));
                records = parser.iterator();
                CSVRecord top = nextRecord();
                if (top == null) {
                    throw new CsvFormatException(file, "holds no rows");
                }
                columns = top.size();
                if (columns < 2) {
                    throw new CsvFormatException(file, "line 1 has " + columns + " column" + (columns == 1 ? "" : "s")
                            + "; a table needs a label column and at least one feature column");
                }
                label = labelColumn(top);
                first = settings.header() ? null : top;
            } catch (IOException | RuntimeException e) {
                reader.close();
                throw e;
            }
        }

        private int labelColumn(CSVRecord top) throws CsvFormatException {
            if (settings.label() instanceof CsvOption.LabelName n) {
                List<String> names = new ArrayList<>(top.toList());
                int at = names.indexOf(n.name());
                if (at < 0) {
                    throw new CsvFormatException(file, "has no column named '" + n.name() + "'; its columns are "
                            + names);
                }
                return at;
            }
            int index = ((CsvOption.LabelIndex) settings.label()).index();
            int at = index < 0 ? columns + index : index;
            if (at < 0 || at >= columns) {
                throw new CsvFormatException(file, "has " + columns + " columns, so labelColumn(" + index
                        + ") does not exist");
            }
            return at;
        }

        boolean hasNext() throws IOException {
            if (first == null) {
                first = nextRecord();
            }
            return first != null;
        }

        private CSVRecord nextRecord() throws CsvFormatException {
            try {
                return records.hasNext() ? records.next() : null;
            } catch (UncheckedIOException | IllegalStateException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new CsvFormatException(file, "cannot be parsed as CSV near line "
                        + (parser.getCurrentLineNumber() + 1) + ": " + cause.getMessage(), cause);
            }
        }

        @Override
        public int xWidth() {
            return columns - 1;
        }

        @Override
        public int yWidth() {
            return 1;
        }

        @Override
        public boolean next(float[] x, int xAt, float[] y, int yAt) throws IOException {
            CSVRecord record = first != null ? first : nextRecord();
            first = null;
            if (record == null) {
                return false;
            }
            long line = parser.getCurrentLineNumber();
            if (record.size() != columns) {
                throw new CsvFormatException(file, "line " + line + " has " + record.size() + " fields but the first"
                        + " row has " + columns);
            }
            for (int c = 0, j = 0; c < columns; c++) {
                float v = number(record.get(c), line, c);
                if (c == label) {
                    if (settings.kind() == CsvOption.LabelKind.CLASSES && (v != Math.rint(v) || v < 0)) {
                        throw new CsvFormatException(file, "line " + line + " has label " + record.get(c)
                                + ": classification() needs whole class indices >= 0 when streaming");
                    }
                    y[yAt] = v;
                } else {
                    x[xAt + j++] = v;
                }
            }
            return true;
        }

        private float number(String text, long line, int column) throws CsvFormatException {
            if (!CsvReader.NUMBER.matcher(text).matches()) {
                throw new CsvFormatException(file, "line " + line + " column " + column + " is '" + text
                        + "': a streamed CSV must hold numbers only (class names need CsvReader.read, which"
                        + " numbers them over the whole file)");
            }
            return Float.parseFloat(text);
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }
}
