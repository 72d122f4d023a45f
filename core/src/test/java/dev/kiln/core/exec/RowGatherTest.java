package dev.kiln.core.exec;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowGatherTest {
    private static final int ROWS = 300;

    @Test
    void gathersTheSameRowsAsAPlainLoopForAnyThreadCountAndSource() {
        Random random = new Random(3);
        for (int width : new int[] {1, 7, 784}) {
            float[][] data = new float[ROWS][width];
            for (float[] row : data) {
                for (int j = 0; j < width; j++) {
                    row[j] = random.nextFloat();
                }
            }
            int[] order = new int[ROWS];
            for (int i = 0; i < ROWS; i++) {
                order[i] = (i * 7919) % ROWS; // a permutation: 7919 is prime and does not divide 300
            }
            for (int threads : new int[] {1, 2, 3}) {
                for (int count : new int[] {1, 5, 128, 250}) {
                    int from = ROWS - count - 3;
                    checkGather(data, width, order, from, count, threads);
                    checkGather(data, width, null, from, count, threads);
                }
            }
        }
    }

    @Test
    void aSegmentOfAConfinedArenaIsGatheredByItsOwnerAlone() {
        int width = 784;
        int count = 64;
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
            MemorySegment source = confined.allocate((long) ROWS * width * Float.BYTES, 64);
            for (long i = 0; i < (long) ROWS * width; i++) {
                source.setAtIndex(JAVA_FLOAT, i, i);
            }
            MemorySegment batch = shared.allocate((long) count * width * Float.BYTES, 64);
            int[] order = new int[ROWS];
            for (int i = 0; i < ROWS; i++) {
                order[i] = ROWS - 1 - i;
            }
            new RowGather(pool).rows(source, batch, width, order, 0, count);
            for (int r = 0; r < count; r++) {
                assertEquals((float) ((long) (ROWS - 1 - r) * width), batch.getAtIndex(JAVA_FLOAT, (long) r * width),
                        "batch row " + r);
            }
        }
    }

    private static void checkGather(float[][] data, int width, int[] order, int from, int count, int threads) {
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(threads)) {
            MemorySegment source = arena.allocate((long) ROWS * width * Float.BYTES, 64);
            for (int i = 0; i < ROWS; i++) {
                MemorySegment.copy(data[i], 0, source, JAVA_FLOAT, (long) i * width * Float.BYTES, width);
            }
            MemorySegment fromArrays = arena.allocate((long) count * width * Float.BYTES, 64);
            MemorySegment fromSegment = arena.allocate((long) count * width * Float.BYTES, 64);
            RowGather gather = new RowGather(pool);
            gather.rows(data, fromArrays, width, order, from, count);
            gather.rows(source, fromSegment, width, order, from, count);
            for (int r = 0; r < count; r++) {
                int row = order == null ? from + r : order[from + r];
                for (int j = 0; j < width; j++) {
                    String where = "threads " + threads + ", width " + width + ", count " + count
                            + (order == null ? ", in order" : ", shuffled") + ", batch row " + r + " col " + j;
                    long at = (long) r * width + j;
                    assertEquals(data[row][j], fromArrays.getAtIndex(JAVA_FLOAT, at), "float[][] source, " + where);
                    assertEquals(data[row][j], fromSegment.getAtIndex(JAVA_FLOAT, at), "segment source, " + where);
                }
            }
        }
    }
}
