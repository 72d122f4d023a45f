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

    @Test
    void aParameterizedCheckIsRunAgainWithItsArguments() {
        FreshJvmRetry.run(getClass(), "failsOutsideTheRetryUnlessWide", () -> failsOutsideTheRetryUnlessWide(true, 37),
                true, 37);
    }

    void failsOutsideTheRetryUnlessWide(boolean batchNorm, int width) {
        if (!Boolean.getBoolean("kiln.freshJvmRetry") || !batchNorm || width != 37) {
            throw new AssertionError("allocated 96 bytes with batch norm " + batchNorm + ", width " + width);
        }
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
