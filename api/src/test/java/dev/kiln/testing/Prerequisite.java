package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need something outside the JVM (python3 with numpy, the Fashion-MNIST files). On a
 * developer's machine such a test skips where it is missing. Under {@code CI=true} it fails instead:
 * {@code .ci/run} installs every prerequisite, so a missing one is a broken job, and a test that never
 * ran must not count as passed. (core and api each have this class: modules do not share test code.)
 *
 * <pre>{@code
 * Prerequisite.require(Files.isDirectory(dir), "no " + dir);
 * }</pre>
 */
public final class Prerequisite {
    private Prerequisite() {
    }

    /** Returns when {@code present}; else skips the test, or fails it under CI=true, saying {@code missing}. */
    public static void require(boolean present, String missing) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(missing + " (CI=true: .ci/run installs this, so here its absence fails the test rather than skip it)");
        }
        Assumptions.abort(missing);
    }
}
