package dev.kiln.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a zip archive front to back from a stream and accounts for every byte of it: local entries
 * from the first byte on, each followed only by its data (and its data descriptor), then a central
 * directory listing exactly those entries (same names, methods, checksums, sizes and offsets), then
 * the end-of-central-directory record, which must end the file.
 *
 * <p>Why not {@code java.util.zip}: {@code ZipInputStream} reads local headers until it meets
 * something else and ignores the rest of the file, while {@code ZipFile} and most zip tools start
 * from the directory at the end and ignore what it does not point to. A file built for the gap (two
 * archives joined, an entry the directory does not list) would be one model to Kiln and another to
 * {@code unzip}. Here the two views must agree, or the file is refused.
 *
 * <p>Sizes are bounded before anything is allocated: the caller's rules give each entry's limit from
 * its header, stored data cannot claim more than the bytes left in the file, and deflated data is
 * inflated into a buffer that stops at the smaller of that limit and the size the header declares.
 * ZIP64, encryption, methods other than stored and deflated, multi-disk archives and archive comments
 * are refused by name: Kiln writes none of them.
 */
final class StrictZipReader {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int DATA_DESCRIPTOR = 0x08074b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    private static final int ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ENCRYPTED = 1;
    private static final int HAS_DATA_DESCRIPTOR = 1 << 3;
    private static final int STRONG_ENCRYPTION = 1 << 6;
    private static final long ZIP64_MARKER = 0xFFFFFFFFL;
    private static final int ZIP64_EXTRA_FIELD = 0x0001;
    private static final int UNICODE_PATH_EXTRA_FIELD = 0x7075;
    private static final int CHUNK = 1 << 16;
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /** Decides from an entry's header alone whether it may be read, and how many bytes it may hold. */
    @FunctionalInterface
    interface Rules {
        /** The most bytes the entry may hold once inflated, or a {@link ModelFormatException}. */
        long maxSize(String name, int method) throws ModelFormatException;
    }

    /** What was really found for an entry, to be compared with its central directory record. */
    private record Entry(byte[] rawName, String shownName, long offset, int method, long crc, long compressedSize,
            long size) {
    }

    /** The fixed fields of a local header or central directory record (names and extras come after). */
    private record Fields(int flags, int method, long crc, long compressedSize, long size, String name,
            byte[] rawName, ByteBuffer tail) {
    }

    private final PushbackInputStream in;
    private final long fileSize;
    private final String source;
    private long position;

    StrictZipReader(InputStream in, long fileSize, String source) {
        this.in = new PushbackInputStream(in, CHUNK);
        this.fileSize = fileSize;
        this.source = source;
    }

    /**
     * Reads a whole archive of {@code size} bytes, first checking that it starts as a zip archive does;
     * {@code kind} ({@code .kiln}) names what the file should be in that refusal.
     */
    static Map<String, byte[]> readArchive(InputStream in, long size, String source, String kind, Rules rules)
            throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, CHUNK);
        buffered.mark(ZIP_MAGIC.length);
        byte[] magic = buffered.readNBytes(ZIP_MAGIC.length);
        buffered.reset();
        if (magic.length < ZIP_MAGIC.length || !Arrays.equals(magic, ZIP_MAGIC)) {
            throw new ModelFormatException(source, "not a " + kind + " file: a " + kind + " file is a zip archive and"
                    + " starts with 'PK\\3\\4'");
        }
        return new StrictZipReader(buffered, size, source).read(rules);
    }

    /** The entries' bytes by name, in archive order. */
    Map<String, byte[]> read(Rules rules) throws IOException {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        int signature = readInt("the first local header");
        expect(signature, LOCAL_HEADER, "a zip entry ('PK\\3\\4') at the start of the file");
        while (signature == LOCAL_HEADER) { // the entries, back to back from the first byte on
            entries.add(readEntry(rules, contents));
            signature = readInt("the next entry or the central directory");
        }
        expect(signature, CENTRAL_HEADER, "another zip entry or the central directory");
        long directoryStart = position - 4;
        for (int i = 0; i < entries.size(); i++) { // one record per entry, in the same order, saying the same
            if (i > 0) {
                signature = readInt("the central directory");
                if (signature == END_OF_CENTRAL_DIRECTORY) {
                    throw fail("the central directory lists " + i + " entries but the archive holds "
                            + entries.size());
                }
                expect(signature, CENTRAL_HEADER, "central directory record " + (i + 1));
            }
            checkCentralRecord(i, entries.get(i));
        }
        signature = readInt("the end of the central directory");
        if (signature == CENTRAL_HEADER) {
            throw fail("the central directory lists more entries than the " + entries.size() + " the archive holds");
        }
        expect(signature, END_OF_CENTRAL_DIRECTORY, "the end of the central directory");
        checkEndRecord(entries.size(), directoryStart, position - 4 - directoryStart);
        checkNothingFollows();
        return contents;
    }

    private void expect(int signature, int expected, String what) throws ModelFormatException {
        if (signature == expected) {
            return;
        }
        if (signature == ZIP64_END_OF_CENTRAL_DIRECTORY || signature == ZIP64_LOCATOR) {
            throw fail("the archive has a ZIP64 end record at offset " + (position - 4)
                    + "; a .kiln file is below 2 GiB and never needs ZIP64");
        }
        throw fail("unexpected bytes at offset " + (position - 4) + " (" + hex(Integer.toUnsignedLong(signature))
                + "): expected " + what);
    }

    // ---- local entries ----------------------------------------------------------------------------

    private Entry readEntry(Rules rules, Map<String, byte[]> contents) throws IOException {
        long offset = position - 4;
        readBytes(2, "a local header"); // version needed to extract: Kiln reads what it can read
        Fields header = readFields(0, "the local header at offset " + offset);
        if (contents.containsKey(header.name())) {
            throw fail("entry '" + Abbreviated.name(header.name()) + "' appears twice in the archive");
        }
        long limit = rules.maxSize(header.name(), header.method());
        String name = Abbreviated.name(header.name()); // from here on, for messages
        boolean described = (header.flags() & HAS_DATA_DESCRIPTOR) != 0;
        if (described && header.method() == STORED) {
            // Stored data has no end marker: without its size in the header nothing says where it stops.
            throw fail("stored entry '" + name + "' has a data descriptor; a stored entry states its size in"
                    + " its header");
        }
        if (!described) {
            checkDeclaredSizes(name, header, limit);
        }
        long dataStart = position;
        byte[] data = header.method() == STORED
                ? readStored(name, (int) header.size())
                : inflate(name, described ? -1 : header.compressedSize(), described ? -1 : header.size(), limit);
        long compressedSize = position - dataStart;
        CRC32 crc = new CRC32();
        crc.update(data);
        Fields stated = described ? readDataDescriptor(name) : header;
        String where = described ? "its data descriptor" : "its header";
        if (compressedSize != stated.compressedSize()) {
            throw fail("entry '" + name + "' holds " + compressedSize + " bytes of deflated data but " + where
                    + " declares " + stated.compressedSize());
        }
        if (data.length != stated.size()) {
            throw fail("entry '" + name + "' inflates to " + data.length + " bytes but " + where + " declares "
                    + stated.size());
        }
        if (crc.getValue() != stated.crc()) {
            throw fail("entry '" + name + "' fails its CRC check (the file is damaged): " + where + " says "
                    + hex(stated.crc()) + ", the data gives " + hex(crc.getValue()));
        }
        contents.put(header.name(), data);
        return new Entry(header.rawName(), name, offset, header.method(), crc.getValue(), compressedSize, data.length);
    }

    /** Sizes a header states are checked against the limit and the file before any data is read. */
    private void checkDeclaredSizes(String name, Fields header, long limit) throws ModelFormatException {
        if (header.size() > limit) {
            throw fail("entry '" + name + "' claims " + header.size() + " bytes; at most " + limit
                    + " are allowed here");
        }
        long left = fileSize - position;
        if (header.compressedSize() > left) {
            throw fail("entry '" + name + "' claims " + header.compressedSize() + " bytes but only " + left
                    + " bytes of the file follow its header");
        }
        if (header.method() == STORED && header.compressedSize() != header.size()) {
            throw fail("stored entry '" + name + "' claims " + header.compressedSize() + " bytes in the file but "
                    + header.size() + " once read; a stored entry's two sizes are equal");
        }
    }

    private byte[] readStored(String name, int size) throws IOException {
        byte[] data = new byte[size];
        int done = 0;
        while (done < size) {
            int n = in.read(data, done, Math.min(CHUNK, size - done));
            if (n < 0) {
                throw fail("truncated: the file ends inside entry '" + name + "'");
            }
            done += n;
        }
        position += size;
        return data;
    }

    /**
     * Inflates an entry's data, never holding more than {@code declaredSize} (when the header states
     * it) or {@code limit} bytes, and never reading past {@code compressedSize} (when stated) or the
     * file's end. Input the inflater did not use goes back to the stream: it is what follows the entry.
     */
    private byte[] inflate(String name, long compressedSize, long declaredSize, long limit) throws IOException {
        long maxInput = compressedSize >= 0 ? compressedSize : fileSize - position;
        long maxOutput = declaredSize >= 0 ? Math.min(declaredSize, limit) : limit;
        Inflater inflater = new Inflater(true);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(maxOutput, CHUNK));
            byte[] input = new byte[CHUNK];
            byte[] output = new byte[CHUNK];
            long fed = 0;
            int lastChunk = 0;
            while (!inflater.finished()) {
                if (inflater.needsInput()) {
                    lastChunk = maxInput == fed ? -1 : in.read(input, 0, (int) Math.min(CHUNK, maxInput - fed));
                    if (lastChunk < 0) {
                        throw fail("entry '" + name + "' ends before its deflated data does (truncated or damaged)");
                    }
                    fed += lastChunk;
                    inflater.setInput(input, 0, lastChunk);
                }
                int produced = inflater.inflate(output);
                if (produced == 0 && !inflater.needsInput() && !inflater.finished()) {
                    throw fail("entry '" + name + "' holds deflated data that cannot be inflated (damaged)");
                }
                if (out.size() + produced > maxOutput) {
                    throw fail(maxOutput == declaredSize
                            ? "entry '" + name + "' inflates to more than the " + declaredSize
                                    + " bytes its header declares"
                            : "entry '" + name + "' holds more than " + limit + " bytes, the most allowed here");
                }
                out.write(output, 0, produced);
            }
            int unused = inflater.getRemaining();
            in.unread(input, lastChunk - unused, unused);
            position += fed - unused;
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw fail("entry '" + name + "' holds damaged deflated data: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private Fields readDataDescriptor(String name) throws IOException {
        long at = position;
        if (readInt("the data descriptor of entry '" + name + "'") != DATA_DESCRIPTOR) {
            throw fail("entry '" + name + "' has no data descriptor ('PK\\7\\8') at offset " + at
                    + ", where its deflated data ends");
        }
        ByteBuffer b = readBytes(12, "the data descriptor of entry '" + name + "'");
        return new Fields(0, DEFLATED, unsigned(b.getInt()), unsigned(b.getInt()), unsigned(b.getInt()), name, null,
                null);
    }

    // ---- central directory and end record ---------------------------------------------------------

    private void checkCentralRecord(int index, Entry entry) throws IOException {
        String what = "central directory record " + (index + 1);
        readBytes(4, what); // versions made by and needed
        Fields record = readFields(14, what);
        ByteBuffer tail = record.tail();
        int commentLength = Short.toUnsignedInt(tail.getShort());
        int disk = Short.toUnsignedInt(tail.getShort());
        tail.position(tail.position() + 6); // internal and external attributes say nothing Kiln uses
        long offset = unsigned(tail.getInt());
        String disagreement = disagreement(record, offset, disk, entry);
        if (disagreement != null) {
            throw fail("the central directory disagrees with the entry at offset " + entry.offset() + " ('"
                    + entry.shownName() + "'): its record says " + disagreement + "; zip tools would read another"
                    + " archive than Kiln");
        }
        readBytes(commentLength, what);
    }

    /** The first field where a central record contradicts its entry, or null when they agree. */
    private static String disagreement(Fields record, long offset, int disk, Entry entry) {
        if (!Arrays.equals(record.rawName(), entry.rawName())) {
            return "name '" + Abbreviated.name(record.name()) + "'";
        }
        if (record.method() != entry.method()) {
            return "method " + record.method() + " (the entry's is " + entry.method() + ")";
        }
        if (record.crc() != entry.crc()) {
            return "CRC " + hex(record.crc()) + " (the entry's is " + hex(entry.crc()) + ")";
        }
        if (record.compressedSize() != entry.compressedSize()) {
            return "compressed size " + record.compressedSize() + " (the entry's is " + entry.compressedSize() + ")";
        }
        if (record.size() != entry.size()) {
            return "size " + record.size() + " (the entry's is " + entry.size() + ")";
        }
        if (offset != entry.offset() || disk != 0) {
            return "offset " + offset + " on disk " + disk;
        }
        return null;
    }

    private void checkEndRecord(int entries, long directoryStart, long directorySize) throws IOException {
        ByteBuffer b = readBytes(18, "the end of the central directory");
        int disk = Short.toUnsignedInt(b.getShort());
        int directoryDisk = Short.toUnsignedInt(b.getShort());
        int entriesHere = Short.toUnsignedInt(b.getShort());
        int entriesInAll = Short.toUnsignedInt(b.getShort());
        long size = unsigned(b.getInt());
        long start = unsigned(b.getInt());
        int commentLength = Short.toUnsignedInt(b.getShort());
        if (disk != 0 || directoryDisk != 0) {
            throw fail("the archive spans several disks; a .kiln file is one file");
        }
        if (entriesHere != entries || entriesInAll != entries || size != directorySize || start != directoryStart) {
            throw fail("the end of the central directory says " + entriesInAll + " entries, " + size + " bytes at"
                    + " offset " + start + ", but the directory holds " + entries + " entries, " + directorySize
                    + " bytes at offset " + directoryStart);
        }
        if (commentLength != 0) {
            throw fail("the archive ends with a comment of " + commentLength + " bytes; Kiln writes none and"
                    + " reads none");
        }
    }

    /** After the end record the file must end: anything more is another archive or a hiding place. */
    private void checkNothingFollows() throws IOException {
        boolean more = in.read() >= 0;
        if (position < fileSize && more) {
            throw fail((fileSize - position) + " bytes follow the end of the zip archive at offset " + position
                    + "; a .kiln file ends with its zip directory (two archives joined together?)");
        }
        if (position < fileSize) {
            throw fail("the stream ends at byte " + position + ", before the " + fileSize
                    + " bytes it was said to hold");
        }
        if (more) {
            throw fail("the stream goes on after the " + fileSize + " bytes it was said to hold");
        }
    }

    // ---- fields -----------------------------------------------------------------------------------

    /**
     * The fields a local header and a central directory record share, from the flags on: flags, method,
     * time, checksum, sizes, then the name and extra field. A central record has {@code tailLength}
     * more bytes (comment length, disk, attributes, offset) between the lengths and the name; they are
     * returned in {@code tail}.
     */
    private Fields readFields(int tailLength, String what) throws IOException {
        ByteBuffer b = readBytes(24, what);
        int flags = Short.toUnsignedInt(b.getShort());
        int method = Short.toUnsignedInt(b.getShort());
        b.getInt(); // modification time and date
        long crc = unsigned(b.getInt());
        long compressedSize = unsigned(b.getInt());
        long size = unsigned(b.getInt());
        int nameLength = Short.toUnsignedInt(b.getShort());
        int extraLength = Short.toUnsignedInt(b.getShort());
        ByteBuffer tail = readBytes(tailLength, what);
        byte[] rawName = readBytes(nameLength, what).array();
        String name = new String(rawName, StandardCharsets.UTF_8);
        byte[] extra = readBytes(extraLength, what).array();
        checkSupported(Abbreviated.name(name), flags, method, compressedSize, size, extra);
        return new Fields(flags, method, crc, compressedSize, size, name, rawName, tail);
    }

    private void checkSupported(String name, int flags, int method, long compressedSize, long size, byte[] extra)
            throws ModelFormatException {
        if ((flags & (ENCRYPTED | STRONG_ENCRYPTION)) != 0) {
            throw fail("entry '" + name + "' is encrypted; Kiln reads no encrypted archives");
        }
        if (method != STORED && method != DEFLATED) {
            throw fail("entry '" + name + "' uses compression method " + method
                    + "; Kiln reads only stored (0) and deflated (8) entries");
        }
        if (compressedSize == ZIP64_MARKER || size == ZIP64_MARKER) {
            throw zip64(name);
        }
        checkExtraField(name, extra);
    }

    private ModelFormatException zip64(String name) {
        return fail("entry '" + name + "' uses ZIP64 sizes; a .kiln file is below 2 GiB and never needs them");
    }

    /**
     * Extra fields are (id, length, data) blocks. Two kinds would make zip tools read the entry
     * differently from Kiln: a ZIP64 block (sizes live there instead) and an Info-ZIP Unicode Path block
     * (a second name, which unzip shows and extracts under); Kiln writes neither and refuses both.
     * Other blocks (timestamps, owners) do not change what the entry is, and are skipped.
     */
    private void checkExtraField(String name, byte[] extra) throws ModelFormatException {
        ByteBuffer b = ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
            int id = Short.toUnsignedInt(b.getShort());
            int length = Short.toUnsignedInt(b.getShort());
            if (id == ZIP64_EXTRA_FIELD) {
                throw zip64(name);
            }
            if (id == UNICODE_PATH_EXTRA_FIELD) {
                throw fail("entry '" + name + "' carries a second name (an Info-ZIP Unicode Path extra field),"
                        + " under which zip tools would show it; Kiln writes none and reads none");
            }
            if (length > b.remaining()) {
                throw fail("a zip header's extra field is damaged (a block of " + length + " bytes where "
                        + b.remaining() + " remain)");
            }
            b.position(b.position() + length);
        }
    }

    // ---- bytes ------------------------------------------------------------------------------------

    private int readInt(String what) throws IOException {
        return readBytes(4, what).getInt();
    }

    /** Exactly {@code n} bytes (n < 64 KiB + 46: a header's fields, a name, an extra field, a comment). */
    private ByteBuffer readBytes(int n, String what) throws IOException {
        if (n > fileSize - position) {
            throw fail("truncated: the file ends at byte " + fileSize + ", inside " + what);
        }
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw fail("truncated: the stream ends at byte " + (position + bytes.length) + ", inside " + what);
        }
        position += n;
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long unsigned(int value) {
        return Integer.toUnsignedLong(value);
    }

    private static String hex(long crc) {
        return String.format("0x%08x", crc);
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(source, problem);
    }
}
