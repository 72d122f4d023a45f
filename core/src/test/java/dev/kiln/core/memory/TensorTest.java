package dev.kiln.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void rowsRoundTrip() {
        float[][] rows = {{1, 2, 3}, {4, 5, 6}};
        Tensor t = Tensor.of(rows);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(6, t.size());
        assertEquals(4f, t.get(1, 0));
        assertArrayEquals(rows[1], t.toRows()[1]);
        t.set(0, 2, 9f);
        assertEquals(9f, t.toArray()[2]);
    }

    @Test
    void allocationsAre64ByteAligned() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n = 1; n < 40; n += 3) {
                Tensor t = Tensor.allocate(arena, n, 3);
                assertEquals(0, t.segment().address() % Memory.ALIGNMENT);
            }
        }
        assertEquals(16, Memory.alignedFloats(1));
        assertEquals(32, Memory.alignedFloats(17));
    }

    @Test
    void badShapesAndIndicesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[][] {{1, 2}, {3}}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        Tensor t = Tensor.zeros(2, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(4));
    }

    @Test
    void aTensorFromAClosedArenaCannotBeRead() {
        Arena arena = Arena.ofConfined();
        Tensor t = Tensor.allocate(arena, 4);
        arena.close();
        assertThrows(IllegalStateException.class, () -> t.get(0));
    }
}
