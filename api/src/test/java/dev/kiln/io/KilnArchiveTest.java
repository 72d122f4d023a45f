package dev.kiln.io;

import static dev.kiln.testing.HandMadeZip.DATA_DESCRIPTOR_FLAG;
import static dev.kiln.testing.HandMadeZip.deflate;
import static dev.kiln.testing.HandMadeZip.deflated;
import static dev.kiln.testing.HandMadeZip.stored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.AllocatedBytes;
import dev.kiln.testing.HandMadeZip;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .kiln container byte by byte: every byte of the file must be accounted for by one archive whose
 * central directory and local entries agree, the weights are stored so their size is bounded by the
 * file's, and sizes that lie are caught as the bytes arrive.
 */
class KilnArchiveTest {
    static final byte[] CONFIG = "{\"format\": \"kiln\", \"layers\": []}".getBytes(StandardCharsets.UTF_8);
    static final byte[] WEIGHTS = SafeTensors.encode(
            Map.of("dense/kernel", new SafeTensors.Entry(new int[] {2}, new float[] {1, 2})), Map.of());

    @TempDir
    Path dir;

    static byte[] written(byte[] config, byte[] weights) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KilnArchive.write(out, config, weights);
        return out.toByteArray();
    }

    static KilnArchive.Parts read(byte[] file) throws IOException {
        return KilnArchive.read(new ByteArrayInputStream(file), file.length, "test.kiln");
    }

    static void assertRefused(byte[] file, String expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> read(file));
        assertTrue(e.getMessage().startsWith("test.kiln: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().length() < 400, "a short message: " + e.getMessage());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void readsWhatItWritesAndWhatOtherZipWritersMake() throws IOException {
        KilnArchive.Parts parts = read(written(CONFIG, WEIGHTS));
        assertArrayEquals(CONFIG, parts.config());
        assertArrayEquals(WEIGHTS, parts.weights());
        // Sizes in the header instead of a data descriptor, a stored config, the entries in the other order.
        for (byte[] file : new byte[][] {
                new HandMadeZip().add(deflated("config.json", CONFIG), deflate(CONFIG))
                        .add(stored("model.safetensors", WEIGHTS), WEIGHTS).toBytes(),
                new HandMadeZip().add(stored("model.safetensors", WEIGHTS), WEIGHTS)
                        .add(stored("config.json", CONFIG), CONFIG).toBytes()}) {
            parts = read(file);
            assertArrayEquals(CONFIG, parts.config());
            assertArrayEquals(WEIGHTS, parts.weights());
        }
    }

    @Test
    void twoArchivesJoinedTogetherAreRefused() throws IOException {
        // Kiln used to read the first archive while zip tools, which start from the directory at the end,
        // saw the second: the same file was two different models.
        byte[] first = written(CONFIG, WEIGHTS);
        byte[] second = written("{\"other\": 1}".getBytes(StandardCharsets.UTF_8), WEIGHTS);
        byte[] joined = concat(first, second);
        Path file = dir.resolve("joined.kiln");
        Files.write(file, joined);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry config = zip.getEntry("config.json");
            assertEquals("{\"other\": 1}",
                    new String(zip.getInputStream(config).readAllBytes(), StandardCharsets.UTF_8),
                    "the JDK's ZipFile sees the second archive");
        }
        assertRefused(joined, second.length + " bytes follow the end of the zip archive at offset " + first.length);
    }

    @Test
    void bytesAfterTheArchiveAreRefused() throws IOException {
        byte[] file = written(CONFIG, WEIGHTS);
        assertRefused(concat(file, new byte[] {0}), "1 bytes follow the end of the zip archive");
        assertRefused(concat(file, new byte[1000]), "1000 bytes follow the end of the zip archive");
        // A caller whose size is not the stream's is told so.
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> KilnArchive.read(new ByteArrayInputStream(file), file.length + 10, "test.kiln"));
        assertTrue(e.getMessage().contains("the stream ends at byte " + file.length + ", before the "
                + (file.length + 10) + " bytes it was said to hold"), e.getMessage());
        e = assertThrows(ModelFormatException.class,
                () -> KilnArchive.read(new ByteArrayInputStream(concat(file, new byte[3])), file.length, "test.kiln"));
        assertTrue(e.getMessage().contains("the stream goes on after the " + file.length + " bytes"), e.getMessage());
    }

    @Test
    void aCommentAfterTheDirectoryIsRefused() {
        byte[] file = new HandMadeZip().add(deflated("config.json", CONFIG), deflate(CONFIG))
                .add(stored("model.safetensors", WEIGHTS), WEIGHTS).comment("hello".getBytes()).toBytes();
        assertRefused(file, "a comment of 5 bytes");
    }

    @Test
    void aCentralDirectoryThatDisagreesWithTheEntriesIsRefused() {
        HandMadeZip.Header config = deflated("config.json", CONFIG);
        HandMadeZip.Header weights = stored("model.safetensors", WEIGHTS);
        for (HandMadeZip.Header lie : new HandMadeZip.Header[] {
                weights.withCrc(weights.crc() ^ 1),
                weights.withSizes(weights.size() + 4, weights.size() + 4),
                weights.withName("model.safetensorz"),
                weights.withMethod(HandMadeZip.DEFLATED)}) {
            byte[] file = new HandMadeZip().add(config, deflate(CONFIG)).add(weights, WEIGHTS, lie).toBytes();
            assertRefused(file, "the central directory disagrees with the entry at offset");
        }
        byte[] shifted = new HandMadeZip().add(config, deflate(CONFIG))
                .addWithOffsetShift(weights, WEIGHTS, 1).toBytes();
        assertRefused(shifted, "the central directory disagrees with the entry at offset");
        byte[] unlisted = new HandMadeZip().add(config, deflate(CONFIG)).toBytes();
        byte[] local = Arrays.copyOf(new HandMadeZip().add(weights, WEIGHTS).toBytes(), 30 + 17 + WEIGHTS.length);
        // An entry the directory does not list, between the listed one and the directory.
        int directoryStart = 30 + 11 + deflate(CONFIG).length;
        byte[] hidden = concat(Arrays.copyOf(unlisted, directoryStart), local,
                Arrays.copyOfRange(unlisted, directoryStart, unlisted.length));
        assertRefused(hidden, "the central directory lists 1 entries but the archive holds 2");
    }

    @Test
    void deflatedWeightsAreRefusedBeforeTheyAreInflated() throws IOException {
        byte[] file = new HandMadeZip().add(deflated("config.json", CONFIG), deflate(CONFIG))
                .add(deflated("model.safetensors", WEIGHTS), deflate(WEIGHTS)).toBytes();
        assertRefused(file, "entry 'model.safetensors' is compressed (method 8)");

        // 64 MiB of zeros deflate to 64 KiB: reading them used to cost 64 MiB and more.
        byte[] bomb = new byte[64 << 20];
        byte[] small = new HandMadeZip().add(deflated("config.json", CONFIG), deflate(CONFIG))
                .add(deflated("model.safetensors", bomb), deflate(bomb)).toBytes();
        bomb = null;
        assertTrue(small.length < 200_000, "the bomb is small: " + small.length);
        long allocated = AllocatedBytes.by(() -> read(small));
        assertTrue(allocated < 4 << 20, "refusing it allocated " + allocated + " bytes");
    }

    @Test
    void storedWeightsCannotClaimMoreBytesThanTheFileHolds() {
        HandMadeZip.Header weights = stored("model.safetensors", WEIGHTS);
        byte[] file = new HandMadeZip().add(deflated("config.json", CONFIG), deflate(CONFIG))
                .add(weights.withSizes(2_000_000_000L, 2_000_000_000L), WEIGHTS).toBytes();
        assertRefused(file, "entry 'model.safetensors' claims 2000000000 bytes but only ");
        byte[] unequal = new HandMadeZip().add(deflated("config.json", CONFIG), deflate(CONFIG))
                .add(weights.withSizes(WEIGHTS.length, WEIGHTS.length + 8), WEIGHTS).toBytes();
        assertRefused(unequal, "stored entry 'model.safetensors' claims " + WEIGHTS.length);
    }

    @Test
    void sizesThatLieAreCaughtAsTheBytesArrive() {
        // The header says 100 bytes; the deflated data holds 8 MiB. Reading stops after the 100th.
        byte[] spaces = new byte[8 << 20];
        Arrays.fill(spaces, (byte) ' ');
        HandMadeZip.Header config = deflated("config.json", spaces);
        byte[] payload = deflate(spaces);
        HandMadeZip.Header weights = stored("model.safetensors", WEIGHTS);
        byte[] file = new HandMadeZip().add(config.withSizes(config.compressedSize(), 100), payload)
                .add(weights, WEIGHTS).toBytes();
        assertRefused(file, "entry 'config.json' inflates to more than the 100 bytes its header declares");
        long allocated = AllocatedBytes.by(() -> read(file));
        assertTrue(allocated < 2 << 20, "refusing it allocated " + allocated + " bytes");

        byte[] fewer = new HandMadeZip().add(deflated("config.json", CONFIG).withSizes(deflate(CONFIG).length,
                CONFIG.length + 1), deflate(CONFIG)).add(weights, WEIGHTS).toBytes();
        assertRefused(fewer, "entry 'config.json' inflates to " + CONFIG.length + " bytes but its header declares "
                + (CONFIG.length + 1));
        byte[] compressedLie = new HandMadeZip().add(deflated("config.json", CONFIG).withSizes(
                deflate(CONFIG).length + 3, CONFIG.length), concat(deflate(CONFIG), new byte[3]))
                .add(weights, WEIGHTS).toBytes();
        assertRefused(compressedLie, "entry 'config.json' holds " + deflate(CONFIG).length
                + " bytes of deflated data but its header declares " + (deflate(CONFIG).length + 3));
        byte[] badCrc = new HandMadeZip().add(deflated("config.json", CONFIG).withCrc(1), deflate(CONFIG))
                .add(weights, WEIGHTS).toBytes();
        assertRefused(badCrc, "entry 'config.json' fails its CRC check");

        HandMadeZip.Header described = deflated("config.json", CONFIG).withFlags(DATA_DESCRIPTOR_FLAG);
        byte[] lyingDescriptor = new HandMadeZip().add(described, deflate(CONFIG), described.withSizes(
                described.compressedSize(), CONFIG.length + 5)).add(weights, WEIGHTS).toBytes();
        assertRefused(lyingDescriptor, "entry 'config.json' inflates to " + CONFIG.length
                + " bytes but its data descriptor declares " + (CONFIG.length + 5));
    }

    @Test
    void aConfigBombStopsAtTheCap() {
        byte[] spaces = new byte[(int) KilnArchive.MAX_CONFIG_BYTES + 1];
        Arrays.fill(spaces, (byte) ' ');
        HandMadeZip.Header config = deflated("config.json", spaces).withFlags(DATA_DESCRIPTOR_FLAG);
        byte[] file = new HandMadeZip().add(config, deflate(spaces))
                .add(stored("model.safetensors", WEIGHTS), WEIGHTS).toBytes();
        assertRefused(file, "entry 'config.json' holds more than 16777216 bytes, the most allowed here");
        byte[] claims = new HandMadeZip().add(deflated("config.json", CONFIG).withSizes(10, 1L << 31), deflate(CONFIG))
                .add(stored("model.safetensors", WEIGHTS), WEIGHTS).toBytes();
        assertRefused(claims, "entry 'config.json' claims 2147483648 bytes; at most 16777216 are allowed here");
    }

    @Test
    void whatKilnDoesNotWriteIsRefusedByName() {
        HandMadeZip.Header config = deflated("config.json", CONFIG);
        HandMadeZip.Header weights = stored("model.safetensors", WEIGHTS);
        assertRefused(new HandMadeZip().add(config.withFlags(1), deflate(CONFIG)).toBytes(),
                "entry 'config.json' is encrypted");
        assertRefused(new HandMadeZip().add(config.withMethod(12), deflate(CONFIG)).toBytes(),
                "entry 'config.json' uses compression method 12; Kiln reads only stored (0) and deflated (8)");
        assertRefused(new HandMadeZip().add(config.withSizes(0xFFFFFFFFL, 0xFFFFFFFFL), deflate(CONFIG)).toBytes(),
                "entry 'config.json' uses ZIP64");
        assertRefused(new HandMadeZip().add(config, deflate(CONFIG)).add(weights.withFlags(DATA_DESCRIPTOR_FLAG),
                WEIGHTS).toBytes(), "stored entry 'model.safetensors' has a data descriptor");
        assertRefused(new HandMadeZip().add(config, deflate(CONFIG)).add(config, deflate(CONFIG)).toBytes(),
                "entry 'config.json' appears twice");
    }

    @Test
    void writersRefuseWhatTheReaderRefusesBeforeWritingAByte() throws IOException {
        byte[] big = new byte[(int) KilnArchive.MAX_CONFIG_BYTES + 1];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KilnArchive.write(out, big, WEIGHTS));
        assertTrue(e.getMessage().contains("16777216"), e.getMessage());
        assertEquals(0, out.size());
        Path file = dir.resolve("m.kiln");
        e = assertThrows(IllegalArgumentException.class, () -> KilnArchive.write(file, big, WEIGHTS));
        assertTrue(e.getMessage().contains("16777216"), e.getMessage());
        try (var listing = Files.list(dir)) {
            assertFalse(listing.findAny().isPresent(), "no file, not even a temporary one");
        }
        KilnArchive.write(file, CONFIG, WEIGHTS);
        assertArrayEquals(WEIGHTS, read(Files.readAllBytes(file)).weights());
    }
    /**
     * An Info-ZIP Unicode Path extra field gives an entry a second name: unzip lists and extracts
     * config.json as evil.json while a reader of the plain name sees config.json. Refused; an extra field
     * that changes nothing (a timestamp) is read past.
     */
    @Test
    void anEntryWithASecondNameIsRefusedAndHarmlessExtraFieldsAreSkipped() throws IOException {
        byte[] evil = "evil.json".getBytes(StandardCharsets.UTF_8);
        ByteBuffer unicodePath = ByteBuffer.allocate(4 + 5 + evil.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        unicodePath.putShort((short) 0x7075).putShort((short) (5 + evil.length)).put((byte) 1)
                .putInt((int) HandMadeZip.crc("config.json".getBytes(StandardCharsets.UTF_8))).put(evil);
        assertRefused(withConfigExtra(unicodePath.array()), "entry 'config.json' carries a second name (an Info-ZIP"
                + " Unicode Path extra field), under which zip tools would show it; Kiln writes none and reads none");
        byte[] timestamp = {0x55, 0x54, 5, 0, 1, 0x10, 0x20, 0x30, 0x40}; // 0x5455: a modification time
        assertArrayEquals(CONFIG, read(withConfigExtra(timestamp)).config());
    }

    private static byte[] withConfigExtra(byte[] extra) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry config = new ZipEntry(KilnArchive.CONFIG_ENTRY);
            config.setExtra(extra);
            zip.putNextEntry(config);
            zip.write(CONFIG);
            zip.closeEntry();
            ZipEntry weights = new ZipEntry(KilnArchive.WEIGHTS_ENTRY);
            weights.setMethod(ZipEntry.STORED);
            weights.setSize(WEIGHTS.length);
            weights.setCompressedSize(WEIGHTS.length);
            weights.setCrc(HandMadeZip.crc(WEIGHTS));
            zip.putNextEntry(weights);
            zip.write(WEIGHTS);
            zip.closeEntry();
        }
        return out.toByteArray();
    }
}
