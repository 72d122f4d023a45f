package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.FileFuzzer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged CSV files (truncated, bytes flipped, 8-byte fields overwritten, junk appended) are either read
 * or refused with {@link CsvFormatException}; nothing else escapes {@link CsvReader}.
 */
class CsvFuzzTest {
    private static final int CASES = 10_000;

    @TempDir
    Path dir;

    @Test
    void damagedCsvFilesOnlyEverRaiseCsvFormatException() {
        List<byte[]> seeds = List.of(
                bytes("sepal_length,sepal_width,petal_length,species\n5.1,3.5,1.4,setosa\n6.3,3.3,6.0,virginica\n"
                        + "5.7,2.8,4.1,versicolor\n"),
                bytes("a,b,label\n1,2,3\n4,5,0\n-7.5e-3,+8,3\n"),
                bytes("\uFEFFx,\"quoted, field\",y\r\n1,\"2\",0.5\r\n\r\n3,4,1.25\r\n"),
                bytes("f1,f2,f3,f4,f5,target\n" + "0.1,0.2,0.3,0.4,0.5,1\n".repeat(20)));
        Path target = dir.resolve("fuzz.csv");
        long cpuBefore = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        int refused = new FileFuzzer(seeds, List.of(CsvFormatException.class)).run("csv", 20261123L, CASES,
                bytes -> {
                    Files.write(target, bytes);
                    CsvReader.read(target);
                });
        // CPU time, not wall time: a shared CI machine can stretch the latter several-fold.
        System.out.printf("fuzz csv: %.1f s of CPU%n",
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuBefore) / 1e9);
        assertTrue(refused > CASES / 4, "most damaged files should be refused, only " + refused + " were");
    }

    /**
     * Tables of extreme values rather than damaged bytes: numbers at and past the float range, subnormals,
     * hundreds of digits, exponents past any int, NaN and infinity spelled several ways, labels at the edges
     * of the direct class range and beyond, rows that are very wide, very long or ragged. Each file is read
     * as classes (the default), values and forced classes; every read either fails with
     * {@link CsvFormatException} or gives a table whose values are all finite and whose classes are in range.
     */
    @Test
    void extremeValuesAreReadCorrectlyOrRefusedClearly() {
        Path target = dir.resolve("extreme.csv");
        FileFuzzer fuzzer = new FileFuzzer(List.of(new byte[1]), List.of(CsvFormatException.class));
        int refused = fuzzer.runAttacks("csv", 20261208L, 2000, CsvFuzzTest::extremeTable, bytes -> {
            Files.write(target, bytes);
            checkResult(CsvReader.read(target));
            for (CsvOption kind : new CsvOption[] {CsvOption.regression(), CsvOption.classification()}) {
                try {
                    checkResult(CsvReader.read(target, kind));
                } catch (CsvFormatException allowed) {
                    // e.g. word labels as values: refused clearly, which is all that is asked
                }
            }
        });
        assertTrue(refused > 200 && refused < 1800, "extreme tables are sometimes fine, often refused: " + refused);
    }

    private static final String[] EXTREME_VALUES = {"0", "-0", "+0.0", ".5", "5.", "1e-45", "1e-46", "4.9e-324",
        "3.4028235e38", "-3.4028235e38", "3.4028236e38", "3.5e38", "1e39", "1e308", "1e309", "1e2147483648",
        "1e-2147483649", "1" + "0".repeat(400), "0." + "0".repeat(400) + "1", "9".repeat(5000), "NaN", "nan",
        "Infinity", "-inf", "+INF", "0x1p3", "1_000", "1,5", "\u0661", "", " ", "\"7\"", "1e", "e5", "--1", "."};
    private static final String[] EXTREME_LABELS = {"0", "1", "9", "65535", "65536", "-1", "-0", "1.0", "1e400",
        "2147483648", "9223372036854775808", "0.5", "cat", "Cat", "\"dog, big\"", "\u00e9t\u00e9", "NaN", "1e-400"};

    private static byte[] extremeTable(Random random) {
        int features = 1 + (random.nextInt(20) == 0 ? random.nextInt(2000) : random.nextInt(4));
        StringBuilder csv = new StringBuilder();
        for (int c = 0; c <= features; c++) {
            csv.append(c > 0 ? "," : "").append(random.nextInt(10) == 0 ? "same" : "c" + c);
        }
        csv.append('\n');
        int rows = random.nextInt(12);
        for (int r = 0; r < rows; r++) {
            int width = random.nextInt(30) == 0 ? features + random.nextInt(3) : features;
            for (int c = 0; c < width; c++) {
                csv.append(random.nextInt(4) == 0 ? EXTREME_VALUES[random.nextInt(EXTREME_VALUES.length)]
                        : Integer.toString(random.nextInt(100) - 50)).append(',');
            }
            csv.append(EXTREME_LABELS[random.nextInt(EXTREME_LABELS.length)]).append(random.nextBoolean() ? "\n" : "\r\n");
        }
        return bytes(csv.toString());
    }

    /** An accepted table must be one Kiln can train on. */
    private static void checkResult(TabularData data) {
        for (float[] row : data.x()) {
            if (row.length != data.features()) {
                throw new IllegalStateException("a row of " + row.length + " values in a table of " + data.features());
            }
            for (float v : row) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("a feature value " + v + " was accepted");
                }
            }
        }
        for (float[] target : data.targets()) {
            if (!Float.isFinite(target[0])) {
                throw new IllegalStateException("a label " + target[0] + " was accepted");
            }
        }
        if (data.isClassification()) {
            for (int y : data.y()) {
                if (y < 0 || y >= data.classNames().size()) {
                    throw new IllegalStateException("class " + y + " of " + data.classNames().size());
                }
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
