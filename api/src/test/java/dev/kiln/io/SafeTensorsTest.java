package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The safetensors format byte by byte: what Kiln writes, what it reads from others, what it refuses. */
class SafeTensorsTest {

    /** A file assembled by hand: 8-byte LE length, the JSON as given (padded as asked), then the floats. */
    static byte[] craft(String json, int padTo, float... data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        int length = header.length + (padTo - header.length % padTo) % padTo;
        ByteBuffer b = ByteBuffer.allocate(8 + length + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(header);
        while (b.position() < 8 + length) {
            b.put((byte) ' ');
        }
        for (float f : data) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void kilnWritesTheFormatByteForByte() throws Exception {
        Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
        tensors.put("dense/kernel", new SafeTensors.Entry(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
        tensors.put("dense/bias", new SafeTensors.Entry(new int[] {3}, new float[] {0.25f, 0, Float.MIN_VALUE}));
        byte[] bytes = SafeTensors.encode(tensors, Map.of("format", "pt"));

        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        assertEquals(8 + n + 9 * 4, bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"));
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}") && header.substring(json.length()).chars().allMatch(ch -> ch == ' '),
                "padding is trailing spaces only: '" + header + "'");
        assertTrue(header.length() - json.length() < 8);
        JsonNode tree = new ObjectMapper().readTree(header);
        assertEquals("pt", tree.get("__metadata__").get("format").asText());
        JsonNode kernel = tree.get("dense/kernel");
        assertEquals("F32", kernel.get("dtype").asText());
        assertEquals("[2,3]", kernel.get("shape").toString());
        assertEquals("[0,24]", kernel.get("data_offsets").toString());
        assertEquals("[24,36]", tree.get("dense/bias").get("data_offsets").toString());
        b.position((int) (8 + n));
        float[] floats = new float[9];
        b.asFloatBuffer().get(floats);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f, 0.25f, 0, Float.MIN_VALUE}, floats);

        SafeTensors.Contents back = SafeTensors.read(bytes, "test");
        assertEquals(List.of("dense/kernel", "dense/bias"), List.copyOf(back.tensors().keySet()));
        assertArrayEquals(tensors.get("dense/bias").values(), back.tensors().get("dense/bias").values());
    }

    @Test
    void readsAFileWrittenByAnotherToolWithOtherKeyOrderAndMetadata() throws Exception {
        // Keys sorted differently, data in the opposite order to the header, metadata last, spaces
        // in the JSON, no padding (the spec does not require it), an empty tensor.
        String json = "{ \"b\" : {\"shape\":[2],\"data_offsets\":[0,8],\"dtype\":\"F32\"},"
                + " \"a\": {\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]},"
                + " \"e\": {\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[16,16]},"
                + " \"__metadata__\": {\"format\": \"pt\", \"source\": \"hand\"} }";
        byte[] bytes = craft(json, 1, 10, 20, -1, 0.5f);
        SafeTensors.Contents c = SafeTensors.read(bytes, "crafted");
        assertArrayEquals(new float[] {10, 20}, c.tensors().get("b").values());
        assertArrayEquals(new float[] {-1, 0.5f}, c.tensors().get("a").values());
        assertArrayEquals(new int[] {1, 2}, c.tensors().get("a").shape());
        assertEquals(0, c.tensors().get("e").values().length);
        assertEquals("hand", c.metadata().get("source"));
    }

    @Test
    void refusesAHeaderClaimingTwoToTheSixtyBytesBeforeAllocating() {
        byte[] bytes = new byte[64];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(bytes, "huge"));
        assertTrue(e.getMessage().contains("1152921504606846976"), e.getMessage());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        assertThrows(ModelFormatException.class, () -> SafeTensors.read(bytes, "negative"));
    }

    @Test
    void refusesBadHeadersWithClearMessages() {
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertRefused(craft(ok, 8, 1), "bytes of data");                       // truncated data
        assertRefused(craft(ok, 8, 1, 2, 3), "bytes of data");                 // trailing bytes
        assertRefused(craft(ok.replace("F32", "F16"), 8, 1, 2), "F16");
        assertRefused(craft(ok.replace("F32", "BF16"), 8, 1, 2), "only F32");
        assertRefused(craft(ok.replace("[2]", "[3]"), 8, 1, 2), "needs 12 bytes");
        assertRefused(craft(ok.replace("[2]", "[-2]"), 8, 1, 2), "dimension");
        assertRefused(craft(ok.replace("[2]", "[65536,65536]"), 8, 1, 2), "the most a Java array holds");
        assertRefused(craft(ok.replace("[0,8]", "[8,0]"), 8, 1, 2), "begin <= end");
        assertRefused(craft(ok.replace("[0,8]", "[4,12]"), 8, 1, 2, 3), "gaps");
        assertRefused(craft(ok.substring(0, ok.length() - 1), 8, 1, 2), "not valid JSON");
        assertRefused(craft("[" + ok + "]", 8, 1, 2), "does not start with '{'");
        assertRefused(craft(ok.replace("}}", "},\"w\":{}}"), 8, 1, 2), "not valid JSON"); // duplicate key
        assertRefused(craft("{\"__metadata__\":{\"a\":1}}", 8), "must be a string");
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertRefused(craft(two, 8, 1, 2, 3), "overlap");
        assertRefused(new byte[] {1, 2, 3}, "too short");
    }

    /**
     * A tensor of 2^31 − 8 values fits an int but not a Java array. A file as large as it claims (a sparse
     * 8 GB file, here a stream that says so) is refused from the header, not with an OutOfMemoryError.
     */
    @Test
    void aTensorLongerThanAJavaArrayIsRefusedFromTheHeader() {
        long count = Integer.MAX_VALUE - 7;
        byte[] header = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + count + "],\"data_offsets\":[0,"
                + count * 4 + "]}}", 8);
        long size = header.length + count * 4;
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> SafeTensors.read(new ByteArrayInputStream(header), size, "sparse.safetensors"));
        assertTrue(e.getMessage().contains("more than 2147483639 values, the most a Java array holds"), e.getMessage());
    }

    private static void assertRefused(byte[] bytes, String expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(bytes, "bad"));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().length() < 400, "a short message: " + e.getMessage());
    }

    /** A header of {@code count} empty tensors, named t0, t1, ... */
    static byte[] emptyTensors(int count) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],")
                    .append("\"data_offsets\":[0,0]}");
        }
        return craft(json.append('}').toString(), 8);
    }

    @Test
    void refusesMoreTensorsThanAnyKilnModelHasWithAShortMessage() throws Exception {
        assertEquals(SafeTensors.MAX_TENSORS, SafeTensors.read(emptyTensors(SafeTensors.MAX_TENSORS), "most")
                .tensors().size());
        // One more is refused when it is met; the message does not list the names.
        assertRefused(emptyTensors(SafeTensors.MAX_TENSORS + 1), "more than " + SafeTensors.MAX_TENSORS + " tensors");
        StringBuilder meta = new StringBuilder("{\"__metadata__\":{");
        for (int i = 0; i <= SafeTensors.MAX_METADATA_ENTRIES; i++) {
            meta.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        assertRefused(craft(meta.append("}}").toString(), 8), "more than " + SafeTensors.MAX_METADATA_ENTRIES
                + " metadata entries");
    }

    @Test
    void messagesStayShortWhateverTheNames() {
        String longName = "w".repeat(40_000);
        String json = "{\"" + longName + "\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertRefused(craft(json, 8, 1, 2), "has dtype F16");
        assertRefused(craft(json.replace("[0,8]", "[0,\"" + longName + "\"]"), 8, 1, 2), "needs data_offsets");
    }

    @Test
    void writersRefuseWhatReadersRefuseBeforeWritingAnything() {
        Map<String, SafeTensors.Entry> many = new LinkedHashMap<>();
        for (int i = 0; i <= SafeTensors.MAX_TENSORS; i++) {
            many.put("t" + i, new SafeTensors.Entry(new int[] {0}, new float[0]));
        }
        assertWriteRefused(many, Map.of(), "at most " + SafeTensors.MAX_TENSORS + " tensors");

        Map<String, SafeTensors.Entry> deep = Map.of("deep", new SafeTensors.Entry(new int[9], new float[0]));
        assertWriteRefused(deep, Map.of(), "at most 8 dimensions");

        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i <= SafeTensors.MAX_METADATA_ENTRIES; i++) {
            metadata.put("k" + i, "v");
        }
        assertWriteRefused(Map.of(), metadata, "more than " + SafeTensors.MAX_METADATA_ENTRIES + " metadata entries");
        Map<String, String> nulls = new LinkedHashMap<>();
        nulls.put("format", null);
        assertWriteRefused(Map.of(), nulls, "metadata value 'format' is null");

        // A header over 100 MB: 96 metadata values of a million characters each (one shared string).
        String mib = "x".repeat(1 << 20);
        Map<String, String> huge = new LinkedHashMap<>();
        for (int i = 0; i < 96; i++) {
            huge.put("k" + i, mib);
        }
        assertWriteRefused(Map.of(), huge, "at most " + SafeTensors.MAX_HEADER_BYTES + " bytes");
    }

    private static void assertWriteRefused(Map<String, SafeTensors.Entry> tensors, Map<String, String> metadata,
            String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.encode(tensors, metadata));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().length() < 400, "a short message: " + e.getMessage());
    }

    @Test
    void streamsLargerThanTheirChunkSizeRoundTrip() throws Exception {
        float[] big = new float[100_003];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
        tensors.put("big", new SafeTensors.Entry(new int[] {big.length}, big));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(SafeTensors.encode(tensors, Map.of()));
        assertArrayEquals(big, SafeTensors.read(out.toByteArray(), "big").tensors().get("big").values());
    }
}
