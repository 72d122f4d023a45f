package dev.kiln.testing;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Makes a jqwik property replayable from CI's log: each run prints the seed it drew and the command that
 * runs the property again with it, and the system property {@value #SEED} makes a run use that seed
 * instead of a new random one. A failure carries the command in its message.
 *
 * <pre>{@code
 * @AddLifecycleHook(ReplayableSeed.class)
 * class TrainingPropertiesTest { ... }
 * // ./kiln test -pl core,api -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='TrainingPropertiesTest#gradientsMatchFiniteDifferences' -Dkiln.jqwik.seed=-1628966950295179352
 * }</pre>
 */
public final class ReplayableSeed implements AroundPropertyHook {
    public static final String SEED = "kiln.jqwik.seed";

    /** Added to a test class, it wraps each property in it. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String fixed = System.getProperty(SEED, "").trim();
        if (!fixed.isEmpty()) {
            context.attributes().setSeed(fixed);
        }
        PropertyExecutionResult result = property.execute();
        String replay = "./kiln test -pl core,api -Dsurefire.failIfNoSpecifiedTests=false -Dtest='" + context.containerClass().getSimpleName() + "#"
                + context.targetMethod().getName() + "' -D" + SEED + "=" + result.seed().orElse("<none drawn>");
        System.out.println("jqwik: " + context.label() + " ran with seed " + result.seed().orElse("<none drawn>")
                + (fixed.isEmpty() ? "" : " (fixed by -D" + SEED + ")") + "; to replay: " + replay);
        if (result.status() == PropertyExecutionResult.Status.FAILED) {
            Throwable cause = result.throwable().orElse(null);
            return result.mapToFailed(new AssertionError((cause == null ? "property failed" : cause.getMessage())
                    + "\nreplay this run: " + replay, cause));
        }
        return result;
    }
}
