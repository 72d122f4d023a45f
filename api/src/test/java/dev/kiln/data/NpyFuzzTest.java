package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.NpyFormatException;
import dev.kiln.core.memory.Tensor;
import dev.kiln.testing.FileFuzzer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged .npy files (truncated, bytes flipped, length fields overwritten, junk appended) are either read
 * or refused with {@link NpyFormatException}; nothing else escapes {@code Tensor.fromNpy}. Lives in the
 * api module because the shared fuzzer is an api test helper.
 */
class NpyFuzzTest {
    private static final int CASES = 10_000;

    @TempDir
    Path dir;

    @Test
    void damagedNpyFilesOnlyEverRaiseNpyFormatException() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (int[] shape : new int[][] {{3, 4}, {7}, {}, {2, 3, 2}}) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = i * 0.5f - 1;
            }
            Path file = dir.resolve("seed.npy");
            Tensor.of(values, shape).toNpy(file);
            seeds.add(Files.readAllBytes(file));
        }
        seeds.add(npy(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 32));
        seeds.add(npy(3, "{'descr': '|u1', 'fortran_order': True, 'shape': (3, 5), }", 15));
        seeds.add(npy(1, "{'descr': '>i8', 'fortran_order': True, 'shape': (2, 3), }", 48));
        seeds.add(npy(1, "{\"shape\": (5L,), \"fortran_order\": False, \"descr\": \"<i4\"}", 20));

        Path target = dir.resolve("fuzz.npy");
        long cpuBefore = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        int refused = new FileFuzzer(seeds, List.of(NpyFormatException.class)).run("npy", 20261123L, CASES,
                bytes -> {
                    Files.write(target, bytes);
                    Tensor.fromNpy(target);
                });
        // CPU time, not wall time: a shared CI machine can stretch the latter several-fold.
        System.out.printf("fuzz npy: %.1f s of CPU%n",
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuBefore) / 1e9);
        assertTrue(refused > CASES / 4, "most damaged files should be refused, only " + refused + " were");
    }

    private static byte[] npy(int version, String dict, int dataBytes) {
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        int headerBytes = total - prefix;
        ByteBuffer out = ByteBuffer.allocate(total + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            out.putShort((short) headerBytes);
        } else {
            out.putInt(headerBytes);
        }
        out.put((dict + " ".repeat(headerBytes - dict.length() - 1) + "\n").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < dataBytes; i++) {
            out.put((byte) (i * 37));
        }
        return out.array();
    }
}
