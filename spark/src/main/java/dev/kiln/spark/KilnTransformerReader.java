package dev.kiln.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader.Metadata;
import org.apache.spark.ml.util.MLReader;
import scala.Option;

/** Loads what {@link KilnTransformerWriter} saved; a missing or damaged model file fails naming it. */
final class KilnTransformerReader extends MLReader<KilnTransformer> {

    @Override
    public KilnTransformer load(String path) {
        Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                KilnTransformer.class.getName());
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path, KilnTransformerWriter.MODEL_FILE);
        byte[] bytes;
        try {
            FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
            if (!fs.exists(file)) {
                throw new FileNotFoundException("the saved KilnTransformer at " + path + " has no Kiln model file "
                        + file);
            }
            try (InputStream in = fs.open(file)) {
                bytes = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        KilnTransformer transformer;
        try {
            transformer = new KilnTransformer(metadata.uid(),
                    ModelBytes.unchecked(KilnTransformerWriter.MODEL_FILE, bytes));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the Kiln model file " + file + " could not be loaded: " + e.getMessage(),
                    e);
        }
        metadata.getAndSetParams(transformer, Option.empty());
        return transformer;
    }
}
