package dev.kiln.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Measures the CSV reader's memory the way that matters to a user: the smallest heap in which a fresh JVM
 * (serial GC, so no collector keeps garbage around on purpose) reads a file. Garbage the parser makes and
 * drops does not count; everything the reader holds at once does.
 *
 * <p>Run it for the figures docs/data.md quotes (several minutes: most JVMs it starts run out of memory):
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -pl core,api -am -Dmdep.outputFile=/tmp/kiln-cp.txt
 * java -cp api/target/test-classes:api/target/classes:$(cat /tmp/kiln-cp.txt) dev.kiln.data.CsvPeakHeap
 * </pre>
 */
public final class CsvPeakHeap {
    private static final String READ = "--read";

    private CsvPeakHeap() {
    }

    /**
     * A CSV file of {@code rows} rows of {@code features} single-digit features and a label: a digit
     * (classes), or a number with three decimals (values to regress, almost all distinct).
     */
    static Path writeDigits(Path file, int rows, int features, boolean fractionalLabels) throws IOException {
        Random random = new Random(rows + features);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int f = 0; f < features; f++) {
                out.write("f" + f + ",");
            }
            out.write("label\n");
            for (int r = 0; r < rows; r++) {
                for (int f = 0; f < features; f++) {
                    out.write('0' + random.nextInt(10));
                    out.write(',');
                }
                out.write(fractionalLabels ? String.format(Locale.ROOT, "%.3f", random.nextDouble() * 100)
                        : Integer.toString(random.nextInt(10)));
                out.write('\n');
            }
        }
        return file;
    }

    /** Whether a fresh JVM with a heap of {@code heapMiB} reads {@code file} without running out of memory. */
    static boolean readsWithin(Path file, int heapMiB) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx" + heapMiB + "m",
                "-cp", System.getProperty("java.class.path"), CsvPeakHeap.class.getName(), READ, file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor() == 0;
    }

    /** The smallest heap, in MiB, that reads {@code file}: a binary search over fresh JVMs. */
    static int smallestHeapMiB(Path file) throws IOException, InterruptedException {
        int fails = 1;
        int works = 4096;
        while (works - fails > 1) {
            int mid = (fails + works) / 2;
            if (readsWithin(file, mid)) {
                works = mid;
            } else {
                fails = mid;
            }
        }
        return works;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals(READ)) {
            System.out.println(CsvReader.read(Path.of(args[1])));
            return;
        }
        Path dir = Files.createTempDirectory("csv-peak-heap");
        int[][] shapes = {{2_000_000, 1}, {1_600_000, 10}, {160_000, 100}};
        for (int[] shape : shapes) {
            for (boolean fractional : new boolean[] {false, true}) {
                Path file = writeDigits(dir.resolve("t.csv"), shape[0], shape[1], fractional);
                long fileBytes = Files.size(file);
                int heap = smallestHeapMiB(file);
                double perRow = ((double) heap * (1 << 20) - 4.0 * shape[0] * shape[1]) / shape[0];
                System.out.printf(Locale.ROOT, "%,d rows × %d feature%s + %s label, %.1f MiB: smallest heap %d MiB"
                        + " = %.1f× the file = 4 B per feature value + %.0f B per row%n", shape[0], shape[1],
                        shape[1] == 1 ? "" : "s", fractional ? "fractional" : "digit", fileBytes / 1048576.0, heap,
                        heap * 1048576.0 / fileBytes, perRow);
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }
}
