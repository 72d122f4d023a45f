package dev.kiln.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;

/**
 * Saves a {@link KilnTransformer} as Spark ML saves its own stages: the params as Spark's
 * {@code metadata/} JSON, and beside it the Kiln model file, {@code model.kiln}, written through Hadoop's
 * file system so that any path Spark can write (local, HDFS, S3) works.
 */
final class KilnTransformerWriter extends MLWriter {
    static final String MODEL_FILE = "model.kiln";

    private final KilnTransformer instance;

    KilnTransformerWriter(KilnTransformer instance) {
        this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
        DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path, MODEL_FILE);
        try {
            FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
            try (OutputStream out = fs.create(file, true)) {
                out.write(instance.modelBytes().bytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the Kiln model file " + file + ": " + e.getMessage(), e);
        }
    }
}
