package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FreshJvmRetryTest {
    @Test
    void aCheckThatFailsOnlyInTheFirstJvmPasses() {
        FreshJvmRetry.run(getClass(), "failsOutsideTheRetry", this::failsOutsideTheRetry);
    }

    @Test
    void aCheckThatFailsInEveryJvmFailsWithBothVerdicts() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> FreshJvmRetry.run(getClass(), "alwaysFails", this::alwaysFails));
        assertTrue(e.getMessage().startsWith("allocated 96 bytes; and again in a fresh JVM: allocated 96 bytes"),
                e.getMessage());
    }

    void failsOutsideTheRetry() {
        if (!Boolean.getBoolean("kiln.freshJvmRetry")) {
            throw new AssertionError("allocated 96 bytes");
        }
    }

    void alwaysFails() {
        throw new AssertionError("allocated 96 bytes");
    }
}
