package dev.kiln.spark;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A DataFrame column of feature rows, each an ML {@code Vector} (what {@code VectorAssembler} makes) or an
 * array of float or double, read into the float rows a Kiln model takes. Checked against the schema
 * before any job runs, and row by row for width and nulls, each error naming the column.
 */
final class FeatureColumn implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final int index;
    private final int width;

    private FeatureColumn(String name, int index, int width) {
        this.name = name;
        this.index = index;
        this.width = width;
    }

    /** The column {@code name} of {@code schema}, whose rows must hold {@code width} features. */
    static FeatureColumn of(StructType schema, String name, int width) {
        check(schema, name);
        return new FeatureColumn(name, schema.fieldIndex(name), width);
    }

    /** Refuses a missing column or one of another type, naming it and what was expected. */
    static void check(StructType schema, String name) {
        if (!List.of(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("the DataFrame has no features column '" + name + "'; its columns are "
                    + List.of(schema.fieldNames()));
        }
        DataType type = schema.apply(name).dataType();
        if (!isFeatureType(type)) {
            throw new IllegalArgumentException("features column '" + name + "' is " + type.simpleString()
                    + "; Kiln reads a vector (VectorUDT), array<float> or array<double>");
        }
    }

    private static boolean isFeatureType(DataType type) {
        if (type.equals(SQLDataTypes.VectorType())) {
            return true;
        }
        return type instanceof ArrayType a
                && (a.elementType().equals(DataTypes.FloatType) || a.elementType().equals(DataTypes.DoubleType));
    }

    /** Copies row {@code row}'s features into {@code dst} from float index {@code at}. */
    void read(Row row, float[] dst, int at) {
        Object v = row.get(index);
        switch (v) {
            case null -> throw new IllegalArgumentException("features column '" + name + "' holds a null row");
            case Vector vector -> {
                checkWidth(vector.size());
                for (int j = 0; j < width; j++) {
                    dst[at + j] = (float) vector.apply(j);
                }
            }
            default -> {
                List<Object> list = row.getList(index);
                checkWidth(list.size());
                for (int j = 0; j < width; j++) {
                    Object x = list.get(j);
                    if (x == null) {
                        throw new IllegalArgumentException("features column '" + name + "' holds a null at position " + j);
                    }
                    dst[at + j] = ((Number) x).floatValue();
                }
            }
        }
    }

    /** Writes row {@code row}'s features into off-heap {@code dst} as row {@code slot} of a batch. */
    void read(Row row, float[] scratch, MemorySegment dst, int slot) {
        read(row, scratch, 0);
        MemorySegment.copy(scratch, 0, dst, ValueLayout.JAVA_FLOAT, (long) slot * width * Float.BYTES, width);
    }

    private void checkWidth(int size) {
        if (size != width) {
            throw new IllegalArgumentException("features column '" + name + "' has a row of " + size
                    + " values but the model takes " + width);
        }
    }

    int width() {
        return width;
    }

    /** The schema field of an output column, refusing one that already exists. */
    static StructField newField(StructType schema, String name, DataType type) {
        if (List.of(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("the DataFrame already has a column '" + name + "'; set another output"
                    + " column name");
        }
        return new StructField(name, type, false, org.apache.spark.sql.types.Metadata.empty());
    }
}
