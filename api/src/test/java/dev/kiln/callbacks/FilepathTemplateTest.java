package dev.kiln.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FilepathTemplateTest {
    private static final Map<String, Number> VALUES = Map.of("epoch", 3, "val_loss", 0.123456, "loss", 2.5,
            "accuracy", 0.875);

    private static String format(String template) {
        return new FilepathTemplate(template).format(VALUES);
    }

    @Test
    void formatsAsPythonStrFormatDoes() {
        assertEquals("model-03-0.12.kiln", format("model-{epoch:02d}-{val_loss:.2f}.kiln"));
        assertEquals("e3.kiln", format("e{epoch}.kiln"));
        assertEquals("2.5", format("{loss}"));
        assertEquals("  3", format("{epoch:3d}"));
        assertEquals("+3", format("{epoch:+d}"));
        assertEquals("0.123456", format("{val_loss:f}"));
        assertEquals("1.2346e-01", format("{val_loss:.4e}"));
        assertEquals("87.5%", format("{accuracy:.1%}"));
        assertEquals("00002.50", format("{loss:08.2f}"));
        assertEquals("{epoch}-3", format("{{epoch}}-{epoch}"));
    }

    @Test
    void badTemplatesFailWhenCreated() {
        assertMessage(() -> new FilepathTemplate("m-{epoch.kiln"), "unclosed");
        assertMessage(() -> new FilepathTemplate("m-}.kiln"), "'}}'");
        assertMessage(() -> new FilepathTemplate("m-{}.kiln"), "empty placeholder");
        assertMessage(() -> new FilepathTemplate("m-{epoch:x}.kiln"), "format spec 'x'");
        assertMessage(() -> new FilepathTemplate("m-{epoch:02.1d}.kiln"), "no precision");
    }

    @Test
    void missingOrUnfitValuesFailNamingThem() {
        assertMessage(() -> format("{val_accuracy}.kiln"), "val_accuracy");
        assertMessage(() -> format("{loss:d}.kiln"), "whole number");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
