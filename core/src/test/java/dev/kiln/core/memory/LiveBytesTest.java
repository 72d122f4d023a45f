package dev.kiln.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Memory.liveBytes counts exactly what counted arenas hold, and closing gives it all back, once. */
class LiveBytesTest {
    @Test
    void countsAllocationsAndReturnsToTheStartWhenClosed() {
        long start = Memory.liveBytes();
        Arena a = Memory.newArena();
        Arena b = Memory.newArena();
        Memory.allocateFloats(a, 100);
        Memory.allocateFloats(a, 0); // one float is reserved even for an empty buffer
        MemorySegment s = Memory.allocateFloats(b, 1000);
        assertEquals(start + 400 + 4 + 4000, Memory.liveBytes());
        a.close();
        assertEquals(start + 4000, Memory.liveBytes());
        a.close(); // twice frees nothing twice
        assertEquals(start + 4000, Memory.liveBytes());
        b.close();
        assertEquals(start, Memory.liveBytes());
        assertThrows(IllegalStateException.class, () -> s.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0),
                "freed memory is refused by the arena, never read");
    }
}
