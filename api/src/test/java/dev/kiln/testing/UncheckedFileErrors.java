package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.function.Executable;

/**
 * Kiln's I/O rule as tests check it: a public method that reads or writes a file throws an
 * {@link UncheckedIOException} whose cause is the specific {@link IOException} and whose message is the
 * cause's.
 */
public final class UncheckedFileErrors {
    private UncheckedFileErrors() {
    }

    /** Runs {@code call}, which must fail by the rule with a cause of {@code type}; returns the cause. */
    public static <T extends IOException> T assertCause(Class<T> type, Executable call) {
        return assertCause(type, call, "");
    }

    public static <T extends IOException> T assertCause(Class<T> type, Executable call, String what) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, call, what);
        assertTrue(type.isInstance(e.getCause()), "expected a cause of " + type.getName() + ", got " + e.getCause());
        assertEquals(e.getCause().getMessage(), e.getMessage());
        return type.cast(e.getCause());
    }
}
