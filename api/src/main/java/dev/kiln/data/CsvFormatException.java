package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A CSV file Kiln cannot turn into a table of numbers: empty, not UTF-8 text, broken quoting, rows of
 * different lengths, a value that is not a number, or a label column that does not exist. The message
 * names the file and, where there is one, the line and the column.
 *
 * <pre>{@code
 * try {
 *     TabularData data = CsvReader.read(Path.of("iris.csv"), CsvOption.labelColumn("species"));
 * } catch (CsvFormatException e) {
 *     System.err.println(e.getMessage()); // e.g. "iris.csv: line 7, column 2 ('petal_length'): 'abc' is not a number"
 * }
 * }</pre>
 */
public final class CsvFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    CsvFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    CsvFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
