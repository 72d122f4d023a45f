package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExamplesTest {
    @Test
    void xorIsLearned() {
        Kiln.setSeed(42);
        ExampleResult r = XorExample.run(300, 4);
        assertEquals(1.0, r.testScores().get("accuracy"), "all four XOR cases right: " + r.testScores());
    }

    @Test
    void regressionFindsTheLinearTarget() {
        Kiln.setSeed(42);
        ExampleResult r = RegressionExample.run(20, 32);
        // The noise has variance 0.01; a fitted line should leave little more than that.
        assertTrue(r.testScores().get("loss") < 0.03, "test mse " + r.testScores());
    }

    @Test
    void demoOptionsParseAndReject() {
        DemoOptions o = DemoOptions.parse(new String[] {"--model", "xor", "--epochs", "3", "--threads", "1"});
        assertEquals("xor", o.model());
        assertEquals(3, o.epochs());
        assertEquals(4, o.batch());
        assertEquals(1, o.threads());
        assertEquals(128, DemoOptions.parse(new String[0]).batch());
        assertThrows(UsageException.class, () -> DemoOptions.parse(new String[] {"--model", "mnist3d"}));
        assertThrows(UsageException.class, () -> DemoOptions.parse(new String[] {"--batch", "0"}));
        assertThrows(UsageException.class, () -> DemoOptions.parse(new String[] {"--epochs"}));
    }

    @Test
    void demoJsonHasTheRequiredKeys() {
        String json = Demo.json(new DemoOptions("fashion", 5, 128, 2, 42),
                new ExampleResult(Map.of("loss", 0.35, "accuracy", 0.87), 10.0, 270_000, 54_000, java.util.List.of(4.0, 1.0, 2.0, 1.5)));
        for (String key : new String[] {"\"test_accuracy\":", "\"test_loss\":", "\"epochs\":5", "\"train_seconds\":",
                "\"samples_per_second\":"}) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        assertTrue(json.startsWith("{") && json.endsWith("}"));
        assertTrue(json.contains("\"steady_samples_per_second\":36000.0"), "54,000 rows / median(1, 2, 1.5) s: " + json);
    }
}
