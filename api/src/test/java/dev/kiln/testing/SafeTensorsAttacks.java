package dev.kiln.testing;

import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Structured attacks on safetensors files, as a fuzzer's mutation: the header of a valid file
 * rewritten to lie in one place, the way a hostile file would rather than the way a damaged one does.
 * Extreme data offsets and shapes, a lying header length, more tensors or metadata entries than a
 * reader accepts, names longer than any tool writes, duplicate keys, data cut short or extended. Every
 * file made here differs from the original in something a reader must refuse, so a reader that
 * accepts one (or fails in any other way than with its documented exception) has a bug.
 */
public final class SafeTensorsAttacks implements FileFuzzer.Mutation {
    private static final String[] KINDS = {"extreme offsets", "extreme shapes", "lying header length",
        "many tensors", "bad metadata", "duplicate names", "long names", "wrong data length"};
    /** Numbers that break arithmetic: signs, int and long edges, beyond long, fractions. */
    private static final String[] EXTREME_NUMBERS = {"-1", "0", "1", "3", "2147483647", "2147483648",
        "4294967296", "9007199254740993", "1152921504606846976", "9223372036854775807", "-9223372036854775808",
        "100000000000000000000000000000", "1.5", "1e300", "\"0\"", "null", "[]", "{}"};

    private final byte[] tooManyTensors;
    private final byte[] tooMuchMetadata;
    private final Map<String, Integer> counts = new TreeMap<>();

    public SafeTensorsAttacks() {
        StringJoiner many = new StringJoiner(",", "{", "}");
        for (int i = 0; i <= SafeTensors.MAX_TENSORS; i++) {
            many.add("\"t" + i + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        tooManyTensors = file(many.toString(), new byte[0]);
        StringJoiner meta = new StringJoiner(",", "{\"__metadata__\":{", "}}");
        for (int i = 0; i <= SafeTensors.MAX_METADATA_ENTRIES; i++) {
            meta.add("\"k" + i + "\":\"v\"");
        }
        tooMuchMetadata = file(meta.toString(), new byte[0]);
    }

    /** How many files of each kind were made, for the test's log. */
    public String counts() {
        return counts.toString();
    }

    @Override
    public byte[] apply(byte[] original, Random random) {
        Parsed p = Parsed.of(original);
        int kind = random.nextInt(KINDS.length);
        if (p.tensors.isEmpty() && (kind == 0 || kind == 1 || kind == 5)) {
            kind = 3; // these rewrite a tensor; an unbuilt model's file has none
        }
        counts.merge(KINDS[kind], 1, Integer::sum);
        return switch (kind) {
            case 0 -> extremeOffset(p, random);
            case 1 -> extremeShape(p, random);
            case 2 -> lyingHeaderLength(p, random);
            case 3 -> manyTensors(p, random);
            case 4 -> badMetadata(p, random);
            case 5 -> duplicateOrReservedName(p, random);
            case 6 -> longName(p, random);
            default -> wrongDataLength(p, random);
        };
    }

    private byte[] extremeOffset(Parsed p, Random random) {
        int t = random.nextInt(p.tensors.size());
        int which = random.nextInt(2);
        String replacement;
        do {
            replacement = EXTREME_NUMBERS[random.nextInt(EXTREME_NUMBERS.length)];
        } while (replacement.equals(Long.toString(p.tensors.get(t).offsets[which])));
        String[] offsets = {Long.toString(p.tensors.get(t).offsets[0]), Long.toString(p.tensors.get(t).offsets[1])};
        offsets[which] = replacement;
        String offsetsJson = random.nextInt(8) == 0 ? "[" + offsets[0] + "," + offsets[1] + ",0]"
                : "[" + offsets[0] + "," + offsets[1] + "]";
        return file(p.header(t, null, offsetsJson), p.data);
    }

    /** A shape whose values differ from the original; when it can, the offsets claim its byte count honestly. */
    private byte[] extremeShape(Parsed p, Random random) {
        int t = random.nextInt(p.tensors.size());
        StringJoiner shape = new StringJoiner(",", "[", "]");
        int rank = random.nextInt(4) == 0 ? 9 + random.nextInt(4) : 1 + random.nextInt(3);
        for (int d = 0; d < rank; d++) {
            shape.add(random.nextBoolean() ? EXTREME_NUMBERS[random.nextInt(EXTREME_NUMBERS.length)]
                    : Integer.toString(1 << random.nextInt(31)));
        }
        String shapeJson = shape.toString();
        if (shapeJson.equals(Arrays.toString(p.tensors.get(t).shape).replace(" ", ""))) {
            shapeJson = "[-1]";
        }
        String offsets = null;
        long claimed = claimedBytes(shapeJson);
        if (claimed >= 0) {
            long begin = p.tensors.get(t).offsets[0];
            offsets = "[" + begin + "," + (begin + claimed) + "]";
        }
        return file(p.header(t, shapeJson, offsets), p.data);
    }

    private byte[] lyingHeaderLength(Parsed p, Random random) {
        byte[] bytes = file(p.header(-1, null, null), p.data);
        long truth = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long[] lies = {0, 1, truth - 1, truth + 1, truth + 8, bytes.length - 7, bytes.length,
            SafeTensors.MAX_HEADER_BYTES + 1, Integer.MAX_VALUE, 1L << 60, -1, Long.MIN_VALUE};
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(lies[random.nextInt(lies.length)]);
        return bytes;
    }

    /** Rarely more tensors than the cap (a big file, built once); usually up to a thousand strangers. */
    private byte[] manyTensors(Parsed p, Random random) {
        if (random.nextInt(300) == 0) {
            return tooManyTensors;
        }
        StringJoiner extra = new StringJoiner(",");
        int count = 1 + random.nextInt(1000);
        for (int i = 0; i < count; i++) {
            extra.add("\"stranger_" + i + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        return file(p.headerWith(extra.toString()), p.data);
    }

    private byte[] badMetadata(Parsed p, Random random) {
        if (random.nextInt(100) == 0) {
            return tooMuchMetadata;
        }
        // Metadata is an object of strings: anything else, at either level, is refused.
        String[] notStrings = {"1", "null", "[\"a\"]", "true", "{\"nested\":\"x\"}"};
        String[] notObjects = {"1", "null", "[\"a\"]", "true", "\"text\""};
        String metadata = random.nextBoolean()
                ? "\"__metadata__\":{\"format\":" + notStrings[random.nextInt(notStrings.length)] + "}"
                : "\"__metadata__\":" + notObjects[random.nextInt(notObjects.length)];
        return file(p.headerWith(metadata), p.data);
    }

    private byte[] duplicateOrReservedName(Parsed p, Random random) {
        String again = "\"" + (random.nextBoolean() ? p.tensors.get(0).name : "__metadata__")
                + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
        return file(p.headerWith(again), p.data);
    }

    /** A name beyond the JSON reader's limit, or just under it (then a dtype Kiln does not read). */
    private byte[] longName(Parsed p, Random random) {
        String name = "w".repeat(random.nextBoolean() ? 60_000 : 40_000);
        String extra = "\"" + name + "\":{\"dtype\":\"F16\",\"shape\":[0],\"data_offsets\":[0,0]}";
        return file(p.headerWith(extra), p.data);
    }

    private byte[] wrongDataLength(Parsed p, Random random) {
        int change = 1 + random.nextInt(64);
        byte[] data = random.nextBoolean() && p.data.length >= change
                ? Arrays.copyOf(p.data, p.data.length - change)
                : Arrays.copyOf(p.data, p.data.length + change);
        return file(p.header(-1, null, null), data);
    }

    /** The bytes a shape claims (4 per value), or -1 when its values are not all non-negative longs. */
    private static long claimedBytes(String shapeJson) {
        long count = 4;
        for (String d : shapeJson.substring(1, shapeJson.length() - 1).split(",")) {
            try {
                long v = Long.parseLong(d);
                if (v < 0) {
                    return -1;
                }
                count = Math.multiplyExact(count, v);
            } catch (NumberFormatException | ArithmeticException e) {
                return -1;
            }
        }
        return count;
    }

    static byte[] file(String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(header.length).put(header).put(data).array();
    }

    private record Tensor(String name, int[] shape, long[] offsets) {
    }

    /** A valid file's tensors in header order and its data bytes, ready to be written back with a lie. */
    private record Parsed(List<Tensor> tensors, byte[] data) {
        static Parsed of(byte[] original) {
            try {
                SafeTensors.Contents contents = SafeTensors.read(original, "seed");
                List<Tensor> tensors = new ArrayList<>();
                long offset = 0;
                for (Map.Entry<String, SafeTensors.Entry> e : contents.tensors().entrySet()) {
                    long bytes = 4L * e.getValue().values().length;
                    tensors.add(new Tensor(e.getKey(), e.getValue().shape(), new long[] {offset, offset + bytes}));
                    offset += bytes;
                }
                long headerLength = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
                return new Parsed(tensors, Arrays.copyOfRange(original, (int) (8 + headerLength), original.length));
            } catch (IOException e) {
                throw new UncheckedIOException("the seed must be a valid file", e);
            }
        }

        /** The header JSON with {@code members} ({@code "name": value, ...}) before the tensors. */
        String headerWith(String members) {
            return "{" + members + (tensors.isEmpty() ? "" : ",") + header(-1, null, null).substring(1);
        }

        /** The header JSON, with tensor {@code t}'s shape and offsets replaced where given. */
        String header(int t, String shape, String offsets) {
            StringJoiner json = new StringJoiner(",", "{", "}");
            for (int i = 0; i < tensors.size(); i++) {
                Tensor tensor = tensors.get(i);
                String s = i == t && shape != null ? shape : Arrays.toString(tensor.shape).replace(" ", "");
                String o = i == t && offsets != null ? offsets
                        : "[" + tensor.offsets[0] + "," + tensor.offsets[1] + "]";
                json.add("\"" + tensor.name + "\":{\"dtype\":\"F32\",\"shape\":" + s + ",\"data_offsets\":" + o + "}");
            }
            return json.toString();
        }
    }
}
