package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.FileFuzzer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
