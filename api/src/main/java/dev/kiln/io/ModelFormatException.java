package dev.kiln.io;

import java.io.IOException;

/**
 * A model or weights file Kiln cannot use: not the format it claims to be (wrong magic, a length or
 * offset out of range, invalid JSON, a dtype other than F32), damaged (truncated, failed checksum), or
 * well formed but not matching the model it is loaded into (a missing weight, a different shape). The
 * message names the file and what was wrong, and nothing has been changed when it is thrown: a failed
 * {@code loadWeights} leaves the model's weights as they were.
 *
 * <p>Every reader of {@code .kiln} and {@code .safetensors} files refuses bad input with this
 * exception (or another {@link IOException} when the file system itself fails), never with an
 * OutOfMemoryError or an IndexOutOfBoundsException from inside the reader. The format classes of this
 * package declare it; {@code Model}'s file methods, which throw no checked exception, raise an
 * {@link java.io.UncheckedIOException} with this exception as its cause and its message as theirs.
 *
 * <pre>{@code
 * try {
 *     model.loadWeights(Path.of("weights.safetensors"));
 * } catch (UncheckedIOException e) {
 *     if (e.getCause() instanceof ModelFormatException) {
 *         System.err.println(e.getMessage()); // "weights.safetensors: tensor 'dense/kernel' has dtype F16; ..."
 *     }
 * }
 * }</pre>
 */
public final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String source, String problem) {
        super(source + ": " + problem);
    }

    public ModelFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
    }
}
