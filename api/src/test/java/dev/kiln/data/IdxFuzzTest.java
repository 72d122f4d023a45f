package dev.kiln.data;

import static dev.kiln.data.IdxTestFiles.IMAGES;
import static dev.kiln.data.IdxTestFiles.LABELS;
import static dev.kiln.data.IdxTestFiles.header;
import static dev.kiln.data.IdxTestFiles.imageFile;
import static dev.kiln.data.IdxTestFiles.labelFile;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.FileFuzzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's file robustness for IDX: at least 10,000 damaged copies of valid files (plain and gzip),
 * each read as images, as labels and as a labelled pair, may be accepted or refused with an
 * {@link IdxFormatException}, and nothing else: no OutOfMemoryError, no NegativeArraySizeException, no
 * IndexOutOfBounds, no hang (the whole run has a deadline).
 *
 * <p>Each fuzz run's own 3-minute deadline names the format; the class's timeout, longer than the
 * build's default of 2 minutes, leaves it room to be the one that fires.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IdxFuzzTest {
    private static final int CASES = 10_000;

    @TempDir
    Path dir;

    private static List<byte[]> seeds(boolean gzip) throws IOException {
        Random random = new Random(7);
        byte[][] bigImages = new byte[40][28 * 28];
        for (byte[] image : bigImages) {
            random.nextBytes(image);
        }
        byte[] bigLabels = new byte[40];
        for (int i = 0; i < bigLabels.length; i++) {
            bigLabels[i] = (byte) random.nextInt(10);
        }
        List<byte[]> plain = List.of(imageFile(IMAGES, 2, 2), labelFile(LABELS), imageFile(bigImages, 28, 28),
                labelFile(bigLabels));
        if (!gzip) {
            return plain;
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] p : plain) {
            out.add(IdxTestFiles.gzip(p));
        }
        return out;
    }

    @Test
    void damagedPlainFilesAreAcceptedOrRefusedClearly() throws IOException {
        fuzz("idx", false, 101);
    }

    @Test
    void damagedGzipFilesAreAcceptedOrRefusedClearly() throws IOException {
        fuzz("idx.gz", true, 202);
    }

    private void fuzz(String format, boolean gzip, long seed) throws IOException {
        Path file = dir.resolve("fuzzed");
        FileFuzzer fuzzer = new FileFuzzer(seeds(gzip), List.of(IdxFormatException.class));
        int refused = assertTimeoutPreemptively(Duration.ofMinutes(3), () -> fuzzer.run(format, seed, CASES, bytes -> {
            Files.write(file, bytes);
            readEveryWay(file);
        }));
        assertTrue(refused > CASES / 2 && refused < CASES, "most damage is noticed, some is harmless: " + refused + " of " + CASES);
    }

    /**
     * Reads the same bytes in every way Kiln can. A file counts as refused when neither the image nor the
     * label reader takes it (each file is at most one of the two); the pair reader must fail cleanly too,
     * since a file cannot hold both.
     */
    private static void readEveryWay(Path file) throws IOException {
        IdxFormatException refusal = null;
        int accepted = 0;
        for (int way = 0; way < 2; way++) {
            try {
                if (way == 0) {
                    IdxReader.readImages(file);
                } else {
                    IdxReader.readLabels(file);
                }
                accepted++;
            } catch (IdxFormatException e) {
                refusal = e;
            }
        }
        try {
            IdxReader.readLabeled(file, file, 256);
        } catch (IdxFormatException expected) {
            // the only acceptable way for it to fail
        }
        if (accepted == 0) {
            throw refusal;
        }
    }

    /**
     * Attacks random damage seldom builds: gzip files whose header claims far more than the real compressed
     * payload holds (padded with junk so the 1032:1 check passes, up to 2^31 − 9 items) or far less, junk
     * or a second gzip member after the stream, and extreme dimensions. Files claiming two billion items
     * are 2 MB each, so there are a few hundred cases, not ten thousand.
     */
    @Test
    void structuredAttacksAreRefusedClearly() {
        Path file = dir.resolve("attack");
        FileFuzzer fuzzer = new FileFuzzer(List.of(labelFile(LABELS)), List.of(IdxFormatException.class));
        int refused = assertTimeoutPreemptively(Duration.ofMinutes(1), () -> fuzzer.runAttacks("idx", 303,
                ATTACKS, IdxFuzzTest::attack, bytes -> {
                    Files.write(file, bytes);
                    readEveryWay(file);
                }));
        assertTrue(refused > ATTACKS / 2 && refused < ATTACKS, "attacks refused: " + refused + " of " + ATTACKS);
    }

    private static final int ATTACKS = 300;
    private static final int[] EXTREME_DIMENSIONS = {0, -1, 1, 2, 28, 46_341, 65_536, 1 << 24, 2_000_000_000,
        Integer.MAX_VALUE - 9, Integer.MAX_VALUE - 8, Integer.MAX_VALUE - 7, Integer.MAX_VALUE, Integer.MIN_VALUE};

    private static byte[] attack(Random random) throws IOException {
        boolean images = random.nextBoolean();
        int[] dims = images ? new int[] {1 + random.nextInt(20), 1 + random.nextInt(28), 1 + random.nextInt(28)}
                : new int[] {1 + random.nextInt(5000)};
        int kind = random.nextInt(5);
        if (kind == 4) {
            // Extreme values in any dimension, over a real payload as long as the true dimensions.
            long present = payloadBytes(dims);
            for (int i = 0; i < dims.length; i++) {
                if (random.nextInt(3) == 0) {
                    dims[i] = EXTREME_DIMENSIONS[random.nextInt(EXTREME_DIMENSIONS.length)];
                }
            }
            byte[] plain = withPayload(header(0x08, dims), (int) present, random);
            return random.nextBoolean() ? plain : IdxTestFiles.gzip(plain);
        }
        int present = (int) payloadBytes(dims);
        if (kind == 0) {
            // The count claims more than is there: a little more, or up to 2^31 − 9 items.
            long itemBytes = present / dims[0];
            long most = IdxHeader.MAX_PAYLOAD_BYTES / itemBytes;
            dims[0] = (int) switch (random.nextInt(3)) {
                case 0 -> Math.min(most, dims[0] + 1 + random.nextInt(100));
                case 1 -> most;
                default -> Math.min(most, 1L << (20 + random.nextInt(12)));
            };
            return IdxTestFiles.lyingGzip(header(0x08, dims), present, payloadBytes(dims), random.nextLong());
        }
        byte[] valid = IdxTestFiles.gzip(withPayload(header(0x08, dims), present, random));
        return switch (kind) {
            // The count claims less than the compressed stream holds.
            case 1 -> IdxTestFiles.gzip(withPayload(header(0x08, dimsWithCount(dims, 1 + random.nextInt(dims[0]))),
                    present, random));
            // Junk after a whole gzip stream: random bytes, or bytes that start like a second member.
            case 2 -> {
                byte[] junk = new byte[1 + random.nextInt(64)];
                random.nextBytes(junk);
                if (random.nextBoolean()) {
                    junk[0] = 0x1f;
                    if (junk.length > 1) {
                        junk[1] = (byte) 0x8b;
                    }
                }
                yield concat(valid, junk);
            }
            // A second, well-formed gzip member: empty (harmless), or more payload than the header says.
            default -> concat(valid, IdxTestFiles.gzip(new byte[random.nextBoolean() ? 0 : 1 + random.nextInt(100)]));
        };
    }

    private static long payloadBytes(int[] dims) {
        long bytes = 1;
        for (int d : dims) {
            bytes *= d;
        }
        return bytes;
    }

    private static int[] dimsWithCount(int[] dims, int count) {
        int[] changed = dims.clone();
        changed[0] = count;
        return changed;
    }

    private static byte[] withPayload(byte[] header, int payloadBytes, Random random) {
        byte[] file = Arrays.copyOf(header, header.length + payloadBytes);
        for (int i = header.length; i < file.length; i++) {
            file[i] = (byte) random.nextInt(256);
        }
        return file;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** 2^20 × 2^20 × 2^20 one-byte pixels claim 2^60 bytes: refused from the header, before any allocation. */
    @Test
    void aHeaderClaimingTwoToTheSixtyBytesIsRefusedBeforeAllocating() throws IOException {
        Path file = dir.resolve("huge");
        Files.write(file, Arrays.copyOf(header(0x08, 1 << 20, 1 << 20, 1 << 20), 16 + 64));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
        assertTrue(e.getMessage().contains("more than 2147483639 bytes"), e.getMessage());
        // The same claim spread over the count: 2^31 − 1 items of 2^29 bytes each.
        Files.write(file, Arrays.copyOf(header(0x08, Integer.MAX_VALUE, 1 << 15, 1 << 14), 16 + 64));
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
        assertTrue(e.getMessage().contains("refusing to read it"), e.getMessage());
        // Within the per-array limit but far beyond what a 92-byte gzip can expand to.
        Files.write(file, IdxTestFiles.gzip(Arrays.copyOf(header(0x08, 1 << 20, 32, 32), 16 + 64)));
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
        assertTrue(e.getMessage().contains("more than") && e.getMessage().contains("compressed bytes"), e.getMessage());
    }
}
