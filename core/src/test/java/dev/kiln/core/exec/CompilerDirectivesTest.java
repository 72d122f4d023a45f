package dev.kiln.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The directive Kiln gives the JIT is one HotSpot accepts (a malformed one would be dropped silently). */
class CompilerDirectivesTest {
    @Test
    void hotSpotAcceptsTheDirective() {
        assertEquals("1 compiler directives added", CompilerDirectives.install());
    }
}
