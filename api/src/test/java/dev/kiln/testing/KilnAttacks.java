package dev.kiln.testing;

import static dev.kiln.testing.HandMadeZip.DATA_DESCRIPTOR_FLAG;
import static dev.kiln.testing.HandMadeZip.deflate;
import static dev.kiln.testing.HandMadeZip.deflated;
import static dev.kiln.testing.HandMadeZip.stored;

import dev.kiln.io.KilnArchive;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Structured attacks on .kiln files, as a fuzzer's mutation: archives a zip library would never
 * write, built field by field from a valid file's two entries. Headers whose sizes or checksums lie
 * about real deflated data, deflated weights (some of them zip bombs), a config bomb, bytes after the
 * archive, two archives joined, a prefix before the archive, a central directory or end record that
 * disagrees with the entries (extreme offsets among them), entries Kiln does not write, and hostile
 * safetensors inside a sound archive. Every file made here is one a reader must refuse.
 */
public final class KilnAttacks implements FileFuzzer.Mutation {
    private static final String[] KINDS = {"lying local sizes", "lying data descriptor", "deflated weights",
        "config bomb", "bytes after the archive", "two archives joined", "prefix before the archive",
        "lying central directory", "lying end record", "hostile safetensors inside", "wrong entries"};
    /** Values a 32-bit zip field can hold that break arithmetic or mark ZIP64. */
    private static final long[] EXTREMES = {0, 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFEL, 0xFFFFFFFFL};

    private final List<byte[]> files;
    private final SafeTensorsAttacks weightsAttacks;
    /** A safetensors file of 64 MiB of zero weights, deflated (64 KiB), and its true header. */
    private final byte[] weightsBomb;
    private final HandMadeZip.Header weightsBombHeader;
    /** 17 MiB of spaces, more than a config may hold, deflated (17 KiB), and its true header. */
    private final byte[] configBomb;
    private final HandMadeZip.Header configBombHeader;
    private final Map<String, Integer> counts = new TreeMap<>();

    /** @param files valid .kiln files: the originals the fuzzer passes, and partners for joining */
    public KilnAttacks(List<byte[]> files, SafeTensorsAttacks weightsAttacks) {
        this.files = files;
        this.weightsAttacks = weightsAttacks;
        byte[] zeros = new byte[64 << 20];
        byte[] header = "{\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[16777214],\"data_offsets\":[0,67108856]}}"
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer.wrap(zeros).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header);
        weightsBomb = deflate(zeros);
        weightsBombHeader = deflated("model.safetensors", zeros, weightsBomb);
        byte[] spaces = new byte[17 << 20];
        Arrays.fill(spaces, (byte) ' ');
        configBomb = deflate(spaces);
        configBombHeader = deflated("config.json", spaces, configBomb);
    }

    /** How many files of each kind were made, for the test's log. */
    public String counts() {
        return counts.toString();
    }

    @Override
    public byte[] apply(byte[] original, Random random) {
        KilnArchive.Parts parts = partsOf(original);
        int kind = random.nextInt(KINDS.length);
        counts.merge(KINDS[kind], 1, Integer::sum);
        return switch (kind) {
            case 0 -> lyingLocalSizes(parts, random);
            case 1 -> lyingDataDescriptor(parts, random);
            case 2 -> deflatedWeights(parts, random);
            case 3 -> configBomb(parts, random);
            case 4 -> concat(original, junk(random, 1 + random.nextInt(4096)));
            case 5 -> random.nextBoolean() ? concat(original, partner(random)) : concat(partner(random), original);
            case 6 -> concat(prefix(random), original);
            case 7 -> lyingCentralDirectory(parts, random);
            case 8 -> lyingEndRecord(parts, random);
            case 9 -> new HandMadeZip().addDeflated("config.json", parts.config())
                    .addStored("model.safetensors", weightsAttacks.apply(parts.weights(), random)).toBytes();
            default -> wrongEntries(parts, random);
        };
    }

    /** A local header (of the config or the weights) whose checksum or sizes lie; the directory may agree. */
    private byte[] lyingLocalSizes(KilnArchive.Parts parts, Random random) {
        HandMadeZip.Header config = deflated("config.json", parts.config());
        HandMadeZip.Header weights = stored("model.safetensors", parts.weights());
        boolean lieAboutConfig = random.nextBoolean();
        HandMadeZip.Header liar = lie(lieAboutConfig ? config : weights, random);
        HandMadeZip zip = new HandMadeZip();
        HandMadeZip.Header centralConfig = random.nextBoolean() ? liar : config;
        HandMadeZip.Header centralWeights = random.nextBoolean() ? liar : weights;
        if (lieAboutConfig) {
            zip.add(liar, deflate(parts.config()), centralConfig).add(weights, parts.weights());
        } else {
            zip.add(config, deflate(parts.config())).add(liar, parts.weights(), centralWeights);
        }
        return zip.toBytes();
    }

    /** The config's data descriptor (and central record, which says the same) lies. */
    private byte[] lyingDataDescriptor(KilnArchive.Parts parts, Random random) {
        HandMadeZip.Header config = deflated("config.json", parts.config()).withFlags(DATA_DESCRIPTOR_FLAG);
        return new HandMadeZip().add(config, deflate(parts.config()), lie(config, random))
                .addStored("model.safetensors", parts.weights()).toBytes();
    }

    /** Kiln writes weights stored; deflated ones, honest or bombs, with true or lying sizes, are refused. */
    private byte[] deflatedWeights(KilnArchive.Parts parts, Random random) {
        boolean bomb = random.nextBoolean();
        HandMadeZip.Header weights = bomb ? weightsBombHeader : deflated("model.safetensors", parts.weights());
        byte[] payload = bomb ? weightsBomb : deflate(parts.weights());
        if (random.nextBoolean()) {
            weights = weights.withSizes(weights.compressedSize(), EXTREMES[random.nextInt(EXTREMES.length)]);
        }
        if (random.nextInt(4) == 0) {
            weights = weights.withFlags(DATA_DESCRIPTOR_FLAG);
        }
        return new HandMadeZip().addDeflated("config.json", parts.config()).add(weights, payload).toBytes();
    }

    /**
     * 17 MiB of config deflated to 17 KiB. Most declare a smaller size than they hold (caught after
     * that many bytes) or a larger one than allowed (caught from the header); a few have a data
     * descriptor and are inflated up to the 16 MiB cap, which is slow, so they are rare.
     */
    private byte[] configBomb(KilnArchive.Parts parts, Random random) {
        HandMadeZip.Header config = switch (random.nextInt(20)) {
            case 0 -> configBombHeader.withFlags(DATA_DESCRIPTOR_FLAG);
            case 1, 2, 3, 4, 5, 6, 7, 8, 9 -> configBombHeader.withSizes(configBombHeader.compressedSize(),
                    random.nextInt(1 << 20));
            default -> configBombHeader;
        };
        return new HandMadeZip().add(config, configBomb).addStored("model.safetensors", parts.weights()).toBytes();
    }

    /** A central record that disagrees with its entry in one field, or points elsewhere. */
    private byte[] lyingCentralDirectory(KilnArchive.Parts parts, Random random) {
        HandMadeZip.Header config = deflated("config.json", parts.config());
        HandMadeZip zip = new HandMadeZip();
        if (random.nextInt(3) == 0) {
            long shift = random.nextBoolean() ? 1 + random.nextInt(100) : EXTREMES[random.nextInt(EXTREMES.length)] - 1;
            return zip.addWithOffsetShift(config, deflate(parts.config()), shift == 0 ? -1 : shift)
                    .addStored("model.safetensors", parts.weights()).toBytes();
        }
        HandMadeZip.Header central = switch (random.nextInt(3)) {
            case 0 -> config.withName(random.nextBoolean() ? "model.safetensors" : "config.jsoN");
            case 1 -> config.withMethod(HandMadeZip.STORED);
            default -> lie(config, random);
        };
        return zip.add(config, deflate(parts.config()), central).addStored("model.safetensors", parts.weights())
                .toBytes();
    }

    /** One field of the end record (disks, counts, directory size and offset, comment length) changed. */
    private byte[] lyingEndRecord(KilnArchive.Parts parts, Random random) {
        byte[] zip = new HandMadeZip().addDeflated("config.json", parts.config())
                .addStored("model.safetensors", parts.weights()).toBytes();
        int[][] fields = {{4, 2}, {6, 2}, {8, 2}, {10, 2}, {12, 4}, {16, 4}, {20, 2}};
        int[] field = fields[random.nextInt(fields.length)];
        ByteBuffer end = ByteBuffer.wrap(zip, zip.length - 22, 22).order(ByteOrder.LITTLE_ENDIAN);
        int at = zip.length - 22 + field[0];
        long truth = field[1] == 2 ? Short.toUnsignedLong(end.getShort(at)) : Integer.toUnsignedLong(end.getInt(at));
        long value;
        do {
            value = random.nextBoolean() ? EXTREMES[random.nextInt(EXTREMES.length)] : truth + 1 + random.nextInt(3);
            value &= field[1] == 2 ? 0xFFFF : 0xFFFFFFFFL;
        } while (value == truth);
        if (field[1] == 2) {
            end.putShort(at, (short) value);
        } else {
            end.putInt(at, (int) value);
        }
        return zip;
    }

    private byte[] wrongEntries(KilnArchive.Parts parts, Random random) {
        HandMadeZip zip = new HandMadeZip();
        HandMadeZip.Header config = deflated("config.json", parts.config());
        switch (random.nextInt(4)) {
            case 0 -> zip.add(config, deflate(parts.config())); // no weights
            case 1 -> zip.add(config, deflate(parts.config())).add(config, deflate(parts.config()))
                    .addStored("model.safetensors", parts.weights());
            case 2 -> {
                byte[] extra = junk(random, random.nextInt(100));
                String name = random.nextBoolean() ? "../evil" : "config.json/";
                zip.add(config, deflate(parts.config())).add(stored(name, extra), extra)
                        .addStored("model.safetensors", parts.weights());
            }
            default -> zip.add(deflated("Config.json", parts.config()), deflate(parts.config()))
                    .addStored("model.safetensors", parts.weights());
        }
        return zip.toBytes();
    }

    /** The header with its checksum, compressed size or size changed to a value it does not have. */
    private static HandMadeZip.Header lie(HandMadeZip.Header truth, Random random) {
        int field = random.nextInt(3);
        long real = field == 0 ? truth.crc() : field == 1 ? truth.compressedSize() : truth.size();
        long value;
        do {
            value = switch (random.nextInt(3)) {
                case 0 -> EXTREMES[random.nextInt(EXTREMES.length)];
                case 1 -> Math.max(0, real + random.nextInt(33) - 16);
                default -> random.nextLong() & 0xFFFFFFFFL;
            };
        } while (value == real);
        return switch (field) {
            case 0 -> truth.withCrc(value);
            case 1 -> truth.withSizes(value, truth.method() == HandMadeZip.STORED ? value : truth.size());
            default -> truth.withSizes(truth.method() == HandMadeZip.STORED ? value : truth.compressedSize(), value);
        };
    }

    private byte[] partner(Random random) {
        return files.get(random.nextInt(files.size()));
    }

    /** Random bytes; sometimes starting with a zip signature, to get past the magic check. */
    private static byte[] prefix(Random random) {
        byte[] junk = junk(random, 1 + random.nextInt(200));
        if (random.nextBoolean() && junk.length >= 4) {
            System.arraycopy(new byte[] {'P', 'K', 3, 4}, 0, junk, 0, 4);
        }
        return junk;
    }

    private static byte[] junk(Random random, int length) {
        byte[] junk = new byte[length];
        if (random.nextBoolean()) {
            random.nextBytes(junk);
        }
        return junk;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static KilnArchive.Parts partsOf(byte[] file) {
        try {
            return KilnArchive.read(new ByteArrayInputStream(file), file.length, "seed");
        } catch (IOException e) {
            throw new UncheckedIOException("the seed must be a valid .kiln file", e);
        }
    }
}
