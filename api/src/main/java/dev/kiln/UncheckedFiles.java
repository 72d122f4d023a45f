package dev.kiln;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Kiln's rule for I/O in its everyday API ({@link Model}, {@link History}, {@link Datasets}): nothing
 * throws a checked exception. A file that cannot be read or written, or that Kiln refuses, raises an
 * {@link UncheckedIOException} whose message is the problem's own and whose cause is the specific
 * {@link IOException}: {@link dev.kiln.io.ModelFormatException} for a model or weights file,
 * {@code NoSuchFileException} for a missing one, and so on.
 */
final class UncheckedFiles {
    private UncheckedFiles() {
    }

    /** An action on a file that may throw an IOException. */
    @FunctionalInterface
    interface FileAction<T> {
        T run() throws IOException;
    }

    /** An action on a file that returns nothing and may throw an IOException. */
    @FunctionalInterface
    interface FileTask {
        void run() throws IOException;
    }

    static <T> T call(FileAction<T> action) {
        try {
            return action.run();
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    static void run(FileTask task) {
        try {
            task.run();
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    /** The rule's exception for {@code e}: its message, and {@code e} as the cause. */
    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }
}
