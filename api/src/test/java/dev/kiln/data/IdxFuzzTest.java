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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's file robustness for IDX: at least 10,000 damaged copies of valid files (plain and gzip),
 * each read as images, as labels and as a labelled pair, may be accepted or refused with an
 * {@link IdxFormatException}, and nothing else: no OutOfMemoryError, no NegativeArraySizeException, no
 * IndexOutOfBounds, no hang (the whole run has a deadline).
 */
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
        Path labels = dir.resolve("labels");
        Files.write(labels, labelFile(Arrays.copyOf(LABELS, 3)));
        FileFuzzer fuzzer = new FileFuzzer(seeds(gzip), List.of(IdxFormatException.class));
        int refused = assertTimeoutPreemptively(Duration.ofMinutes(3), () -> fuzzer.run(format, seed, CASES, bytes -> {
            Files.write(file, bytes);
            // Read the same bytes in every way Kiln can. A copy counts as refused when neither the image
            // nor the label reader takes it (each file is at most one of the two); the pair reader must
            // fail cleanly too, since a file cannot hold both.
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
        }));
        assertTrue(refused > CASES / 2 && refused < CASES, "most damage is noticed, some is harmless: " + refused + " of " + CASES);
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
