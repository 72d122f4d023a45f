package dev.kiln.data;

import java.util.List;
import java.util.Objects;

/**
 * A table read from a CSV file: feature rows {@link #x()} and one label per row, either a class index
 * ({@link #y()}, with {@link #classNames()}) or a value to regress ({@link #targets()}).
 *
 * <p>How labels become classes: integer labels from 0 to 65535 are their own class index (so labels 0..9
 * mean classes 0..9 even when a class is missing from the file, and {@code classNames()} is "0", "1", ...
 * up to the largest). Any other labels (words, negative numbers, fractions read with
 * {@link CsvOption#classification()}) are sorted, numerically when all are numbers and alphabetically
 * otherwise, and numbered in that order. Without an explicit {@link CsvOption#classification()} or
 * {@link CsvOption#regression()}, labels are classes when they are all integers or any is not a number,
 * and values to regress when they are numbers and one has a fraction.
 *
 * <pre>{@code
 * TabularData iris = Datasets.csv(Path.of("iris.csv"), labelColumn("species"));
 * iris.classNames();                      // [setosa, versicolor, virginica]
 * model.fit(iris.x(), iris.y(), epochs(50));
 *
 * TabularData houses = Datasets.csv(Path.of("houses.csv"), labelColumn("price"), regression());
 * model.fit(houses.x(), houses.targets(), epochs(50));   // targets(): one column per row
 * }</pre>
 */
public final class TabularData {
    private final float[][] x;
    private final List<String> featureNames;
    /** Each row's class index, or null for values to regress. */
    private final int[] classes;
    /** Each row's value to regress, or null for classes. */
    private final float[] values;
    private final List<String> classNames;

    private TabularData(float[][] x, List<String> featureNames, int[] classes, float[] values,
            List<String> classNames) {
        this.x = Objects.requireNonNull(x, "x");
        this.featureNames = List.copyOf(featureNames);
        this.classes = classes;
        this.values = values;
        this.classNames = List.copyOf(classNames);
        int labels = classes != null ? classes.length : values.length;
        if (x.length != labels) {
            throw new IllegalArgumentException(x.length + " rows but " + labels + " labels");
        }
    }

    static TabularData classification(float[][] x, List<String> featureNames, int[] classes, List<String> names) {
        return new TabularData(x, featureNames, Objects.requireNonNull(classes, "classes"), null, names);
    }

    static TabularData regression(float[][] x, List<String> featureNames, float[] values) {
        return new TabularData(x, featureNames, null, Objects.requireNonNull(values, "values"), List.of());
    }

    /** The feature rows, every column but the label, in file order. */
    public float[][] x() {
        return x;
    }

    /**
     * The class index of each row.
     *
     * @throws IllegalStateException if the labels were read as values to regress; use {@link #targets()}
     */
    public int[] y() {
        if (classes == null) {
            throw new IllegalStateException("the labels are values to regress, not classes: use targets(), or read"
                    + " the file with CsvOption.classification()");
        }
        return classes;
    }

    /**
     * The labels as one-column rows, the shape {@code fit} and {@code evaluate} take for regression (and for
     * a binary classifier with one sigmoid output). For classes, each value is the class index.
     */
    public float[][] targets() {
        float[][] out = new float[x.length][1];
        for (int i = 0; i < out.length; i++) {
            out[i][0] = classes != null ? classes[i] : values[i];
        }
        return out;
    }

    public boolean isClassification() {
        return classes != null;
    }

    /** The class names in index order; empty for regression. */
    public List<String> classNames() {
        return classNames;
    }

    /** The header names of the feature columns, or "column 0", "column 1", ... without a header. */
    public List<String> featureNames() {
        return featureNames;
    }

    public int rows() {
        return x.length;
    }

    public int features() {
        return featureNames.size();
    }

    @Override
    public String toString() {
        return "TabularData[" + rows() + " rows × " + features() + " features, "
                + (isClassification() ? classNames.size() + " classes]" : "regression]");
    }
}
