package dev.kiln.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** A tensor with no rows can still have rows too long for a Java array: toRows says so, with the shape. */
    @Test
    void toRowsRefusesRowsLongerThanAJavaArrayNamingTheShapeAndTheLimit() {
        Tensor t = Tensor.zeros(0, 65_536, 65_536);
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toRows);
        assertMessage(e, "Tensor[0, 65536, 65536]", "[65536, 65536]", "2147483639");
        e = assertThrows(IllegalStateException.class, t::rowWidth);
        assertMessage(e, "Tensor[0, 65536, 65536]", "2147483647");
        // Axes whose product does not even fit a long.
        Tensor wider = Tensor.zeros(0, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertMessage(assertThrows(IllegalStateException.class, wider::toRows), "[2147483647, 2147483647, 2147483647]");
    }

    @Test
    void zeroElementShapesOfHugeAxesAreEmptyTensors() {
        Tensor t = Tensor.zeros(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0);
        assertEquals(0, t.size());
        assertEquals(0, t.toArray().length);
        assertEquals(0, t.rowWidth());
        assertEquals(3, Tensor.zeros(3, 0).toRows().length);
        // More rows than one array can hold, even of nothing.
        assertMessage(assertThrows(IllegalStateException.class, t::toRows), "2147483647 rows", "2147483639");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertMessage(e, "[2147483647, 2147483647, 2147483647]");
    }

    /** 3 × 2^30 floats (12 GB, a sparse file mapped, never touched) cannot be one float[]. */
    @Test
    void toArrayRefusesMoreElementsThanAJavaArrayHolds(@TempDir Path dir) throws IOException {
        long bytes = 3L << 32;
        try (Arena arena = Arena.ofConfined();
                FileChannel channel = FileChannel.open(dir.resolve("sparse"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            Tensor t = Tensor.wrap(mapped, 3, 1 << 30);
            IllegalStateException e = assertThrows(IllegalStateException.class, t::toArray);
            assertMessage(e, "Tensor[3, 1073741824]", "3221225472", "2147483639");
        }
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }
}
