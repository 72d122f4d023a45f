package dev.kiln.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a file holds, told by its first bytes rather than its name, and which of Kiln's readers reads it.
 * Every reader of a user's file asks first, so that a file of one known format given to the reader of
 * another is refused with what it actually is ("w.safetensors is an HDF5 file ...") instead of a message
 * about the expected format's header that makes no sense for this file.
 *
 * <p>The sniffing is conservative: a kind is named only on a magic number or an unambiguous structure;
 * anything else is {@link #UNKNOWN}, and the reader's own checks report what is wrong with it.
 */
public enum FileKind {
    ZIP("a zip archive", "Model.load reads a zip as a model file when its name ends with .kiln or .keras"),
    HDF5("an HDF5 file", "Model.loadWeights reads Keras' HDF5 weights files when the name ends with .weights.h5"),
    SAFETENSORS("a safetensors file", "Model.loadWeights reads it when its name ends with .safetensors"),
    NPY("a NumPy .npy array", "Tensor.fromNpy reads it"),
    GZIP("a gzip-compressed file",
            "IdxReader and Datasets read gzip-compressed IDX files; decompress anything else first (gunzip)"),
    IDX("an IDX file (MNIST's format)", "IdxReader.readImages and readLabels read it, and Datasets.mnist(directory)"),
    PNG("a PNG image", "Kiln reads no images (History.plot writes them)"),
    GIT_LFS_POINTER("a Git LFS pointer (a stand-in for the file's content)", "fetch the content first: git lfs pull"),
    HTML("an HTML page (a failed download saves one)", "download the file again"),
    TEXT("a text file", "Datasets.csv reads CSV text"),
    EMPTY("an empty file", "write or download it again"),
    UNKNOWN("data of a format Kiln does not recognise", "");

    /** Enough for every magic number and for a text check of the first lines. */
    static final int HEAD_BYTES = 512;

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final byte[] EMPTY_ZIP_MAGIC = {'P', 'K', 5, 6};
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final String GIT_LFS_START = "version https://git-lfs.github.com/spec/";
    /** IDX element types: unsigned byte, signed byte, short, int, float, double. */
    private static final List<Integer> IDX_TYPES = List.of(0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E);

    private final String description;
    private final String reader;

    FileKind(String description, String reader) {
        this.description = description;
        this.reader = reader;
    }

    /** What the file is, as a message says it: "an HDF5 file". */
    public String description() {
        return description;
    }

    /** Which Kiln method reads this kind, or what to do with it; empty for {@link #UNKNOWN}. */
    public String reader() {
        return reader;
    }

    /** The kind of the file's content, from its first bytes. */
    public static FileKind of(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            return of(in.readNBytes(HEAD_BYTES), size);
        }
    }

    /**
     * {@code null} when {@code file} holds one of {@code accepted}, a kind Kiln does not recognise or
     * nothing (each reader says what it found missing, at which byte);
     * otherwise the problem for the reader's message: "this is an HDF5 file, not {@code expected};
     * Model.loadWeights reads ...".
     *
     * @param expected what the reader reads, as the message names it: "a safetensors file"
     */
    public static String mismatch(Path file, String expected, FileKind... accepted) throws IOException {
        FileKind kind = of(file);
        if (kind == UNKNOWN || kind == EMPTY || Arrays.asList(accepted).contains(kind)) {
            return null;
        }
        return "this is " + kind.description + ", not " + expected + "; " + kind.reader;
    }

    /** The kind of a file of {@code size} bytes that starts with {@code head}. */
    static FileKind of(byte[] head, long size) {
        if (size == 0) {
            return EMPTY;
        }
        if (startsWith(head, ZIP_MAGIC) || startsWith(head, EMPTY_ZIP_MAGIC)) {
            return ZIP;
        }
        if (startsWith(head, HDF5_MAGIC)) {
            return HDF5;
        }
        if (startsWith(head, NPY_MAGIC)) {
            return NPY;
        }
        if (startsWith(head, PNG_MAGIC)) {
            return PNG;
        }
        if (startsWith(head, GZIP_MAGIC)) {
            return GZIP;
        }
        if (isSafetensors(head, size)) {
            return SAFETENSORS;
        }
        if (isIdx(head)) {
            return IDX;
        }
        String text = textOf(head, size);
        if (text == null) {
            return UNKNOWN;
        }
        if (text.startsWith(GIT_LFS_START)) {
            return GIT_LFS_POINTER;
        }
        String start = text.stripLeading().toLowerCase(Locale.ROOT);
        if (start.startsWith("<!doctype html") || start.startsWith("<html")) {
            return HTML;
        }
        return TEXT;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }

    /** An 8-byte little-endian header length that fits the file, then the header's JSON object. */
    private static boolean isSafetensors(byte[] head, long size) {
        if (head.length < 9) {
            return false;
        }
        long headerBytes = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return headerBytes >= 2 && headerBytes <= size - 8 && head[8] == '{';
    }

    /** Two zero bytes, a known element type, then 1 to 4 dimensions. */
    private static boolean isIdx(byte[] head) {
        return head.length >= 4 && head[0] == 0 && head[1] == 0 && IDX_TYPES.contains(head[2] & 0xff)
                && head[3] >= 1 && head[3] <= 4;
    }

    /**
     * The head decoded as UTF-8 (a byte-order mark allowed, a character cut by the head's end dropped),
     * or null when it is not text: invalid UTF-8, or a control character other than tab, line feed,
     * carriage return and form feed.
     */
    private static String textOf(byte[] head, long size) {
        int length = head.length;
        if (size > length) {
            // The head may end inside a multi-byte character: back up to the start of the last one.
            int back = 0;
            while (back < 3 && length - back > 0 && (head[length - 1 - back] & 0xC0) == 0x80) {
                back++;
            }
            if (length - back > 0 && (head[length - 1 - back] & 0x80) != 0) {
                length -= back + 1;
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(head, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f) {
                return null;
            }
        }
        return text;
    }
}
