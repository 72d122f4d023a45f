package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains, in a JVM with {@code -Xmx64m}, one epoch on a 256 MB {@code .npy} file (four times that heap)
 * memory-mapped through a Dataset with a shuffle buffer and prefetching: it must finish without running
 * out of memory, and the loss on a held-out set must fall.
 */
class LargerThanHeapTest {
    private static final int WIDTH = 200;
    private static final int ROWS = 320_000;   // 320,000 × 200 float32 = 256 MB
    private static final String HEAP = "-Xmx64m";

    /** A row of uniform features; its class is whether the first two features sum above 0. */
    static int row(Random random, float[] x) {
        for (int j = 0; j < x.length; j++) {
            x[j] = random.nextFloat() * 2 - 1;
        }
        return x[0] + x[1] > 0 ? 1 : 0;
    }

    @Test
    void aFileFourTimesTheHeapTrainsInOneEpoch(@TempDir Path dir) throws Exception {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        write(x, y);
        assertEquals(256_000_000L + headerBytes(), Files.size(x));
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                HEAP, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                LargerThanHeapFit.class.getName(), x.toString(), y.toString(), Integer.toString(WIDTH))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the fit did not end in 2 minutes");
        assertEquals(0, p.exitValue(), output);
        Map<String, String> values = new HashMap<>();
        for (String line : output.split("\\R")) {
            String[] parts = line.split(" ");
            if (parts.length == 2) {
                values.put(parts[0], parts[1]);
            }
        }
        long heap = Long.parseLong(values.get("maxHeap"));
        assertTrue(Files.size(x) > 3 * heap, "the file must be several times the heap: " + heap + " B heap");
        assertEquals(ROWS / 256, Long.parseLong(values.get("iterations")));
        double before = Double.parseDouble(values.get("lossBefore"));
        double after = Double.parseDouble(values.get("lossAfter"));
        assertTrue(after < 0.5 * before, "the loss fell from " + before + " to " + after);
    }

    private static int headerBytes() {
        return 128;
    }

    /** Writes x (float32 [ROWS, WIDTH]) and y (int32 [ROWS]) a chunk at a time, never the whole array. */
    private static void write(Path x, Path y) throws IOException {
        Random random = new Random(7);
        float[] row = new float[WIDTH];
        try (FileChannel xs = FileChannel.open(x, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileChannel ys = FileChannel.open(y, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            xs.write(header("<f4", "(" + ROWS + ", " + WIDTH + ")"));
            ys.write(header("<i4", "(" + ROWS + ",)"));
            ByteBuffer xChunk = ByteBuffer.allocate(1024 * WIDTH * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer yChunk = ByteBuffer.allocate(1024 * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < ROWS; i++) {
                yChunk.putInt(row(random, row));
                for (float v : row) {
                    xChunk.putFloat(v);
                }
                if (!xChunk.hasRemaining() || i == ROWS - 1) {
                    drain(xs, xChunk);
                    drain(ys, yChunk);
                }
            }
        }
    }

    private static void drain(FileChannel channel, ByteBuffer chunk) throws IOException {
        chunk.flip();
        while (chunk.hasRemaining()) {
            channel.write(chunk);
        }
        chunk.clear();
    }

    /** A NumPy 1.0 header padded to {@link #headerBytes()} bytes, as np.save pads it to a multiple of 64. */
    private static ByteBuffer header(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        String text = dict + " ".repeat(headerBytes() - 10 - dict.length() - 1) + "\n";
        ByteBuffer out = ByteBuffer.allocate(headerBytes()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.putShort((short) text.length());
        out.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return out.flip();
    }
}
