package dev.kiln.data;

/**
 * The options of {@link CsvReader#read} and {@code Datasets.csv}: which column holds the label, whether
 * the first row is a header, the delimiter, and whether the label is a class or a value to regress.
 *
 * <pre>{@code
 * import static dev.kiln.data.CsvOption.*;
 * TabularData iris = Datasets.csv(Path.of("iris.csv"), labelColumn("species"));
 * TabularData wine = Datasets.csv(Path.of("winequality-red.csv"), delimiter(';'), labelColumn("quality"), regression());
 * TabularData raw  = Datasets.csv(Path.of("data.txt"), header(false), labelColumn(0));
 * }</pre>
 *
 * Defaults: a header row, comma-delimited, the label in the last column, its kind guessed from the values
 * (see {@link TabularData}).
 */
public sealed interface CsvOption {
    /** The label column by its header name. */
    record LabelName(String name) implements CsvOption {
        public LabelName {
            if (name == null) {
                throw new IllegalArgumentException("label column name must not be null");
            }
        }
    }

    /** The label column by 0-based position; negative positions count from the end (-1 is the last). */
    record LabelIndex(int index) implements CsvOption {
    }

    record Header(boolean present) implements CsvOption {
    }

    record Delimiter(char value) implements CsvOption {
        public Delimiter {
            if (value == '"' || value == '\n' || value == '\r') {
                throw new IllegalArgumentException("delimiter must not be a quote or a line break, got "
                        + (value == '"' ? "'\"'" : "a line break"));
            }
        }
    }

    /** How to read the label column. */
    enum LabelKind {
        /** Classes when every label is an integer or any label is not a number; values otherwise. */
        AUTO,
        /** Every distinct label is a class. */
        CLASSES,
        /** Every label is a number to predict (regression). */
        VALUES
    }

    record Labels(LabelKind kind) implements CsvOption {
        public Labels {
            if (kind == null) {
                throw new IllegalArgumentException("label kind must not be null");
            }
        }
    }

    /** The column whose header is {@code name} holds the labels. */
    static CsvOption labelColumn(String name) {
        return new LabelName(name);
    }

    /** The column at {@code index} (0-based; -1 is the last column, the default) holds the labels. */
    static CsvOption labelColumn(int index) {
        return new LabelIndex(index);
    }

    /** Whether the first row names the columns (default true). */
    static CsvOption header(boolean present) {
        return new Header(present);
    }

    /** The field separator (default ','), e.g. ';' or '\t'. */
    static CsvOption delimiter(char value) {
        return new Delimiter(value);
    }

    /** Read the labels as classes, even when they are numbers with fractions. */
    static CsvOption classification() {
        return new Labels(LabelKind.CLASSES);
    }

    /** Read the labels as numbers to predict, even when they are all integers. */
    static CsvOption regression() {
        return new Labels(LabelKind.VALUES);
    }
}
