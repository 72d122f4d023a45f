package dev.kiln.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An IDX file whose header or length is not what the format promises: wrong magic, an unsupported data
 * type, impossible dimensions, or too few or too many bytes. The message names the file and, for length
 * problems, the expected and the actual size.
 *
 * <pre>{@code
 * try {
 *     int[] labels = IdxReader.readLabels(Path.of("train-labels-idx1-ubyte.gz"));
 * } catch (IdxFormatException e) {
 *     System.err.println(e.getMessage()); // e.g. "...: truncated: expected 60008 bytes, found 4096"
 * }
 * }</pre>
 */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    IdxFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    IdxFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
