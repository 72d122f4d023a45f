package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Memory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * 10,000 compile → fit one batch → close cycles leave native memory flat: Kiln's own counter of live
 * arena bytes returns exactly to where it started, and the process's resident set grows by less than
 * {@link #RSS_BOUND_BYTES} between cycle 1,000 and cycle 10,000 (a leak of the ~100 KB each model
 * holds would add about 900 MB). The Java heap's own growth or shrinking between the two readings is
 * taken out: it is not native memory, and other tests in the same JVM make the heap grow.
 */
class ResourceCycleTest {
    private static final int CYCLES = 10_000;
    private static final int WARM_UP = 1_000;
    private static final long RSS_BOUND_BYTES = 96L << 20;

    @Test
    void compileFitCloseCyclesLeaveNativeMemoryFlat() throws IOException {
        float[][] x = new float[4][64];
        int[] y = {0, 3, 7, 9};
        for (int i = 0; i < x.length; i++) {
            x[i][i] = 1;
        }
        long start = Memory.liveBytes();
        long perModel = 0;
        long rssAfterWarmUp = 0;
        long heapAfterWarmUp = 0;
        for (int c = 0; c < CYCLES; c++) {
            Model model = Sequential.of(Input(64), Dense(64, "relu"), Dense(10, "softmax"))
                    .compile("adam", "sparse_categorical_crossentropy", "accuracy");
            model.fit(x, y, batchSize(4), verbose(0));
            perModel = Math.max(perModel, Memory.liveBytes() - start);
            model.close();
            assertEquals(start, Memory.liveBytes(), "cycle " + c + " left native memory behind");
            if (c == WARM_UP) {
                rssAfterWarmUp = settledRss();
                heapAfterWarmUp = heapCommitted();
            }
        }
        long rssAtEnd = settledRss();
        long heapGrowth = heapCommitted() - heapAfterWarmUp;
        long growth = rssAtEnd - rssAfterWarmUp - heapGrowth;
        System.out.printf("resource cycles: %d compile/fit/close, %d native bytes per model, live bytes back to %d,"
                + " RSS %d MB -> %d MB, heap committed %+d MB, growth outside the heap %d MB (bound +%d MB)%n",
                CYCLES, perModel, Memory.liveBytes() - start, rssAfterWarmUp >> 20, rssAtEnd >> 20,
                heapGrowth >> 20, growth >> 20, RSS_BOUND_BYTES >> 20);
        assertTrue(perModel > 50_000, "the model really allocated: " + perModel);
        assertTrue(growth < RSS_BOUND_BYTES, "RSS outside the heap grew by " + (growth >> 20) + " MB over "
                + (CYCLES - WARM_UP) + " cycles; a leak of " + perModel + " bytes per model would be "
                + ((CYCLES - WARM_UP) * perModel >> 20) + " MB");
    }

    private static long heapCommitted() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /** VmRSS after a full GC, so garbage heap objects do not count as native growth. */
    private static long settledRss() throws IOException {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
