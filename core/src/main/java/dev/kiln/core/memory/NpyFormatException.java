package dev.kiln.core.memory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@code .npy} file that is not what the NumPy format promises, or one Kiln cannot turn into a float32
 * tensor: a wrong magic string or version, a malformed header, an unsupported dtype, a shape whose data
 * is not exactly what the file holds. The message names the file and the problem.
 *
 * <pre>{@code
 * try {
 *     Tensor t = Tensor.fromNpy(Path.of("weights.npy"));
 * } catch (NpyFormatException e) {
 *     System.err.println(e.getMessage()); // e.g. "weights.npy: shape (1000, 1000) of <f4 needs 4000000 data bytes, found 12"
 * }
 * }</pre>
 */
public final class NpyFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    NpyFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
