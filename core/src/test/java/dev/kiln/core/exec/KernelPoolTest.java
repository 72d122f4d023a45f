package dev.kiln.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class KernelPoolTest {
    @Test
    void everyPartRunsExactlyOncePerDispatch() {
        try (KernelPool pool = new KernelPool(3)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(3);
            for (int round = 0; round < 10_000; round++) {
                pool.run((part, parts) -> {
                    assertEquals(3, parts);
                    hits.incrementAndGet(part);
                });
            }
            for (int p = 0; p < 3; p++) {
                assertEquals(10_000, hits.get(p), "part " + p);
            }
        }
    }

    @Test
    void dispatchesOfDifferentSizesNeverRunAPartTwiceOrSkipOne() {
        try (KernelPool pool = new KernelPool(4)) {
            int rounds = 20_000;
            AtomicIntegerArray runs = new AtomicIntegerArray(rounds * 4);
            for (int round = 0; round < rounds; round++) {
                int base = round * 4;
                int parts = round % 3 == 0 ? 4 : round % 3 == 1 ? 2 : 3;
                pool.run((part, n) -> runs.incrementAndGet(base + part), parts);
                for (int p = 0; p < 4; p++) {
                    assertEquals(p < parts ? 1 : 0, runs.get(base + p), "round " + round + " part " + p);
                }
            }
        }
    }

    @Test
    void countsDispatchesAndTheirParts() {
        try (KernelPool pool = new KernelPool(3)) {
            ParallelBody nothing = (part, parts) -> { };
            pool.run(nothing);
            pool.run(nothing, 1);
            pool.run(nothing, 2);
            pool.run(nothing, 10); // at most the pool's threads
            assertEquals(4, pool.dispatches());
            assertEquals(3 + 1 + 2 + 3, pool.partsDispatched());
        }
    }

    @Test
    void smallWorkRunsInFewerPartsOnTheCaller() {
        try (KernelPool pool = new KernelPool(4)) {
            Thread caller = Thread.currentThread();
            pool.run((part, parts) -> {
                assertEquals(1, parts);
                assertSame(caller, Thread.currentThread());
            }, 1);
        }
    }

    @Test
    void aWorkerFailureReachesTheCaller() {
        try (KernelPool pool = new KernelPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run((part, parts) -> {
                if (part == 1) {
                    throw new IllegalStateException("boom in part 1");
                }
            }));
            assertEquals("boom in part 1", e.getMessage());
            // and the pool still works afterwards
            AtomicIntegerArray hits = new AtomicIntegerArray(2);
            pool.run((part, parts) -> hits.incrementAndGet(part));
            assertEquals(1, hits.get(1));
        }
    }

    @Test
    void resizingKeepsThePoolUsable() {
        try (KernelPool pool = new KernelPool(2)) {
            pool.setThreads(4);
            assertEquals(4, pool.threads());
            AtomicIntegerArray hits = new AtomicIntegerArray(4);
            pool.run((part, parts) -> hits.incrementAndGet(part));
            for (int p = 0; p < 4; p++) {
                assertEquals(1, hits.get(p));
            }
            pool.setThreads(1);
            pool.run((part, parts) -> assertEquals(1, parts));
        }
    }

    @Test
    void splitsCoverTheRangeWithoutGaps() {
        for (int total : new int[] {0, 1, 7, 100, 1001}) {
            for (int parts = 1; parts <= 5; parts++) {
                int covered = 0;
                for (int p = 0; p < parts; p++) {
                    covered += ParallelBody.start(total, p + 1, parts) - ParallelBody.start(total, p, parts);
                    int a = ParallelBody.alignedStart(total, p, parts, 16);
                    assertEquals(0, a % 16 == 0 || a == total ? 0 : 1, "aligned start " + a);
                }
                assertEquals(total, covered);
                assertEquals(total, ParallelBody.alignedStart(total, parts, parts, 16));
            }
        }
    }
}
