package dev.kiln.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FiniteRowsTest {
    @Test
    void findsTheFirstBadRowWhicheverPartScansIt() {
        for (int threads : new int[] {1, 2, 3}) {
            try (KernelPool pool = new KernelPool(threads)) {
                float[][] rows = new float[500][];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = new float[r % 3 == 0 ? 784 : 33]; // rows need not share a length
                }
                assertEquals(-1, FiniteRows.firstNonFinite(rows, pool), threads + " threads, all finite");
                for (int bad : new int[] {0, 1, 250, 333, 499}) {
                    for (float value : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                        rows[bad][rows[bad].length - 1] = value;
                        rows[499][5] = Float.NaN; // a later bad row must not win over an earlier one
                        assertEquals(bad, FiniteRows.firstNonFinite(rows, pool), threads + " threads, " + value + " in row " + bad);
                        rows[bad][rows[bad].length - 1] = 0f;
                        rows[499][5] = 0f;
                    }
                }
                assertEquals(-1, FiniteRows.firstNonFinite(new float[0][], pool));
            }
        }
    }
}
