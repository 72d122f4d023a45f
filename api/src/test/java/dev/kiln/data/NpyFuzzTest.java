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
import java.util.Random;
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

    /**
     * A zero axis means an empty array, however large the other axes: every such file whose axes a Tensor can
     * have (any dtype, order and version) must be read, as an empty tensor. Nothing may be refused here, so
     * the fuzzer allows no exception at all.
     */
    @Test
    void zeroElementArraysOfAnyShapeAreReadAsEmptyTensors() {
        Path target = dir.resolve("empty.npy");
        FileFuzzer fuzzer = new FileFuzzer(List.of(new byte[1]), List.of());
        fuzzer.runAttacks("npy zero-element", 20261206L, 500, NpyFuzzTest::zeroElementArray, bytes -> {
            Files.write(target, bytes);
            Tensor t = Tensor.fromNpy(target);
            if (t.size() != 0 || t.toArray().length != 0) {
                throw new IllegalStateException("a zero-element array was read as " + t);
            }
        });
    }

    /**
     * Headers that lie or go to extremes: axes of 0, 2^31 − 1, 2^31, 2^32, past the parser's cap, up to 69 of
     * them, products that overflow a long; dtypes Kiln does not read; data shorter or longer than the shape
     * needs, junk after it; a header length that claims more than the file. Each is read or refused with
     * {@link NpyFormatException}, nothing else.
     */
    @Test
    void lyingAndExtremeHeadersAreReadOrRefusedClearly() {
        Path target = dir.resolve("attack.npy");
        FileFuzzer fuzzer = new FileFuzzer(List.of(new byte[1]), List.of(NpyFormatException.class));
        int refused = fuzzer.runAttacks("npy", 20261207L, 2000, NpyFuzzTest::extremeArray, bytes -> {
            Files.write(target, bytes);
            Tensor.fromNpy(target);
        });
        assertTrue(refused > 1000 && refused < 2000, "most attacks are refused, some files are valid: " + refused);
    }

    private static final String[] DESCRS = {"<f4", ">f4", "<f8", ">f8", "<i4", ">i4", "<i8", ">i8", "|u1"};
    private static final long[] EXTREME_AXES = {0, 1, 2, 7, 1 << 20, Integer.MAX_VALUE, 1L << 31, 1L << 32,
        Integer.MAX_VALUE * 4L, Integer.MAX_VALUE * 4L + 1};

    private static byte[] zeroElementArray(Random random) {
        long[] shape = new long[1 + random.nextInt(8)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = random.nextBoolean() ? EXTREME_AXES[random.nextInt(6)] : random.nextInt(Integer.MAX_VALUE);
        }
        shape[random.nextInt(shape.length)] = 0;
        return npy(1 + random.nextInt(3), dict(DESCRS[random.nextInt(DESCRS.length)], random.nextBoolean(), shape), 0);
    }

    private static byte[] extremeArray(Random random) {
        long[] shape = new long[random.nextInt(10) == 0 ? 60 + random.nextInt(10) : random.nextInt(5)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = random.nextInt(3) == 0 ? EXTREME_AXES[random.nextInt(EXTREME_AXES.length)] : 1 + random.nextInt(5);
        }
        String descr = random.nextInt(8) == 0 ? new String[] {"<c8", "O", "<f2", "<u4"}[random.nextInt(4)]
                : DESCRS[random.nextInt(DESCRS.length)];
        long needed = dataBytes(descr, shape);
        int data = switch (random.nextInt(4)) {
            case 0 -> needed >= 0 && needed <= 4096 ? (int) needed : 0;
            case 1 -> needed > 0 && needed <= 4096 ? (int) needed - 1 - random.nextInt((int) needed) : 0;
            case 2 -> needed >= 0 && needed <= 4096 ? (int) needed + 1 + random.nextInt(64) : 64;
            default -> random.nextInt(256);
        };
        byte[] file = npy(1 + random.nextInt(3), dict(descr, random.nextBoolean(), shape), data);
        if (random.nextInt(8) == 0) {
            // A header length that claims more than the file holds, up to 2^32 − 1 bytes.
            ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) (-1 - random.nextInt(100)));
        }
        return file;
    }

    /** shape × item size, or −1 when it does not fit a long. */
    private static long dataBytes(String descr, long[] shape) {
        long bytes = descr.endsWith("8") ? 8 : descr.endsWith("4") ? 4 : 1;
        for (long axis : shape) {
            if (axis == 0) {
                return 0;
            }
            if (bytes > Long.MAX_VALUE / axis) {
                bytes = -1;
            } else if (bytes > 0) {
                bytes *= axis;
            }
        }
        return bytes;
    }

    private static String dict(String descr, boolean fortran, long[] shape) {
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            tuple.append(i > 0 ? ", " : "").append(shape[i]);
        }
        tuple.append(shape.length == 1 ? ",)" : ")");
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + tuple
                + ", }";
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
