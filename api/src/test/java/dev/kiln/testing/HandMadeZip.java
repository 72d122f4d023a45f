package dev.kiln.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip archives field by field, so that a test can build what no zip library would: headers
 * whose sizes or checksums lie, a central directory that disagrees with the entries, a comment.
 * Each entry's local header and central directory record are given separately and default to the
 * truth; a data descriptor is written when the local header's flags ask for one, stating what the
 * central record states.
 *
 * <pre>{@code
 * byte[] zip = new HandMadeZip()
 *         .add(HandMadeZip.deflated("config.json", config).withSizes(10, 100), HandMadeZip.deflate(config))
 *         .addStored("model.safetensors", weights)
 *         .toBytes();
 * }</pre>
 */
public final class HandMadeZip {
    public static final int STORED = 0;
    public static final int DEFLATED = 8;
    public static final int DATA_DESCRIPTOR_FLAG = 1 << 3;

    /** What a header says about an entry. */
    public record Header(String name, int flags, int method, long crc, long compressedSize, long size) {
        public Header withName(String newName) {
            return new Header(newName, flags, method, crc, compressedSize, size);
        }

        public Header withFlags(int newFlags) {
            return new Header(name, newFlags, method, crc, compressedSize, size);
        }

        public Header withMethod(int newMethod) {
            return new Header(name, flags, newMethod, crc, compressedSize, size);
        }

        public Header withCrc(long newCrc) {
            return new Header(name, flags, method, newCrc, compressedSize, size);
        }

        public Header withSizes(long newCompressedSize, long newSize) {
            return new Header(name, flags, method, crc, newCompressedSize, newSize);
        }
    }

    private record Entry(Header local, byte[] payload, Header central, long centralOffsetShift) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private byte[] comment = new byte[0];

    /** The true header of {@code data} stored as it is. */
    public static Header stored(String name, byte[] data) {
        return new Header(name, 0, STORED, crc(data), data.length, data.length);
    }

    /** The true header of {@code data} deflated; its payload is {@link #deflate(byte[])}. */
    public static Header deflated(String name, byte[] data) {
        return deflated(name, data, deflate(data));
    }

    /** The true header of {@code data} whose deflated form, already made, is {@code payload}. */
    public static Header deflated(String name, byte[] data, byte[] payload) {
        return new Header(name, 0, DEFLATED, crc(data), payload.length, data.length);
    }

    /** Raw DEFLATE data (no zlib wrapper), as a zip entry holds it. */
    public static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        while (!deflater.finished()) {
            out.write(chunk, 0, deflater.deflate(chunk));
        }
        deflater.end();
        return out.toByteArray();
    }

    public static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    /** {@code data} stored, with true headers. */
    public HandMadeZip addStored(String name, byte[] data) {
        return add(stored(name, data), data);
    }

    /** {@code data} deflated, with true headers. */
    public HandMadeZip addDeflated(String name, byte[] data) {
        return add(deflated(name, data), deflate(data));
    }

    /** An entry whose central directory record says what its local header says. */
    public HandMadeZip add(Header header, byte[] payload) {
        return add(header, payload, header);
    }

    /** An entry whose central directory record may disagree with its local header. */
    public HandMadeZip add(Header local, byte[] payload, Header central) {
        entries.add(new Entry(local, payload, central, 0));
        return this;
    }

    /** An entry whose central directory record points {@code shift} bytes away from its local header. */
    public HandMadeZip addWithOffsetShift(Header header, byte[] payload, long shift) {
        entries.add(new Entry(header, payload, header, shift));
        return this;
    }

    public HandMadeZip comment(byte[] newComment) {
        comment = newComment.clone();
        return this;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (Entry e : entries) {
            offsets.add((long) out.size());
            boolean descriptor = (e.local().flags() & DATA_DESCRIPTOR_FLAG) != 0;
            Header local = e.local();
            byte[] name = local.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = little(30 + name.length);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) local.flags()).putShort((short) local.method())
                    .putInt(0);
            // With a data descriptor the header's checksum and sizes are zeros, as ZipOutputStream writes them.
            h.putInt(descriptor ? 0 : (int) local.crc()).putInt(descriptor ? 0 : (int) local.compressedSize())
                    .putInt(descriptor ? 0 : (int) local.size());
            h.putShort((short) name.length).putShort((short) 0).put(name);
            out.writeBytes(h.array());
            out.writeBytes(e.payload());
            if (descriptor) {
                Header c = e.central();
                out.writeBytes(little(16).putInt(0x08074b50).putInt((int) c.crc()).putInt((int) c.compressedSize())
                        .putInt((int) c.size()).array());
            }
        }
        long centralStart = out.size();
        for (int i = 0; i < entries.size(); i++) {
            Header c = entries.get(i).central();
            byte[] name = c.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = little(46 + name.length);
            h.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) c.flags())
                    .putShort((short) c.method()).putInt(0).putInt((int) c.crc()).putInt((int) c.compressedSize())
                    .putInt((int) c.size()).putShort((short) name.length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) (offsets.get(i) + entries.get(i).centralOffsetShift())).put(name);
            out.writeBytes(h.array());
        }
        long centralSize = out.size() - centralStart;
        out.writeBytes(little(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                .putShort((short) entries.size()).putShort((short) entries.size()).putInt((int) centralSize)
                .putInt((int) centralStart).putShort((short) comment.length).array());
        out.writeBytes(comment);
        return out.toByteArray();
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
