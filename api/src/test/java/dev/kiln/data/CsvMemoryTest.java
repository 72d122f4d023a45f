package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What docs/data.md promises about the CSV reader's memory: about 4 bytes per feature value plus a few
 * dozen per row, held at once while reading. A fresh JVM gets a heap of 4 bytes per value + 45 per row +
 * 4 MiB for the JVM itself, and must read the file in it. A million rows of one digit feature and a label
 * make the per-row cost count: keeping each label's text, a long line number per row and a second copy of
 * the labels needed about 62 MiB (classes) and 71 MiB (values to regress) for this file; the budget is 50.
 */
class CsvMemoryTest {
    private static final int ROWS = 1_000_000;
    private static final int FEATURES = 1;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "fractional labels: {0}")
    @ValueSource(booleans = {false, true})
    void aMillionNarrowRowsAreReadInFourBytesPerValueAndFortyFivePerRow(boolean fractionalLabels)
            throws IOException, InterruptedException {
        Path file = CsvPeakHeap.writeDigits(dir.resolve("narrow.csv"), ROWS, FEATURES, fractionalLabels);
        int heapMiB = (int) ((4L * ROWS * FEATURES + 45L * ROWS) / (1 << 20)) + 4;
        boolean fits = CsvPeakHeap.readsWithin(file, heapMiB);
        System.out.printf("csv memory: %d rows of %d feature and a %s label (%.1f MiB) %s in a %d MiB heap%n",
                ROWS, FEATURES, fractionalLabels ? "fractional" : "digit", Files.size(file) / 1048576.0,
                fits ? "read" : "NOT read", heapMiB);
        assertTrue(fits, "reading " + file + " needs more than " + heapMiB + " MiB of heap");
    }
}
