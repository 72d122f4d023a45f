package dev.kiln.core.memory;

import static dev.kiln.testing.UncheckedFileErrors.assertCause;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyFormatTest {
    @TempDir
    Path dir;

    @Test
    void writtenFileIsVersionOneLittleEndianFloat32PaddedTo64Bytes() throws IOException {
        Path file = dir.resolve("x.npy");
        Tensor.of(new float[] {1.5f, -2f, 3f, 0f, 7f, 8f}, 2, 3).toNpy(file);
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(NpyFormat.MAGIC, Arrays.copyOf(bytes, 6));
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        int headerBytes = Short.toUnsignedInt(ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
        int dataOffset = 10 + headerBytes;
        assertEquals(0, dataOffset % 64, "data starts at " + dataOffset);
        String header = new String(bytes, 10, headerBytes, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith(" \n"), header);
        assertEquals(dataOffset + 6 * 4, bytes.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, dataOffset, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.5f, data.getFloat());
        assertEquals(-2f, data.getFloat());
    }

    @Test
    void shapesOfEveryRankRoundTrip() throws IOException {
        Random random = new Random(7);
        for (int[] shape : new int[][] {{}, {1}, {5}, {3, 7}, {2, 3, 4}, {0, 3}, {1, 1, 1, 1, 2}}) {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            float[] values = new float[(int) n];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            Path file = dir.resolve("r" + shape.length + ".npy");
            Tensor.of(values, shape).toNpy(file);
            Tensor back = Tensor.fromNpy(file);
            assertArrayEquals(shape, back.shape(), Arrays.toString(shape));
            assertArrayEquals(values, back.toArray(), Arrays.toString(shape));
        }
    }

    @Test
    void headerOfOneDimensionHasThePythonTupleComma() {
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", NpyHeader.format(new int[] {5}));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", NpyHeader.format(new int[0]));
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("w.npy");
        Tensor.of(new float[] {1, 2}, 2).toNpy(file);
        Tensor.of(new float[] {3, 4, 5}, 3).toNpy(file);
        assertArrayEquals(new float[] {3, 4, 5}, Tensor.fromNpy(file).toArray());
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "only the target remains");
        }
    }

    /**
     * The .npy file is not left private like a temporary file: like {@code model.save}, a new file has the
     * permissions any new file gets (rw-r--r-- under umask 022) and a replaced one keeps the ones it had.
     */
    @Test
    void aNewFileHasTheUsualPermissionsAndAReplacedOneKeepsItsOwn() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX only");
        Path file = dir.resolve("modes.npy");
        Tensor.of(new float[] {1, 2}, 2).toNpy(file);
        assertEquals(Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain"))),
                Files.getPosixFilePermissions(file));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
        Tensor.of(new float[] {3}, 1).toNpy(file);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(new float[] {3}, Tensor.fromNpy(file).toArray());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"<f4", ">f4", "<f8", ">f8", "<i4", ">i4", "<i8", "|u1", "<u1"})
    void everySupportedDtypeIsConvertedToFloat32(String descr) throws IOException {
        double[] values = {0, 1, 2, 250, descr.contains("u") ? 7 : -3, 100};
        Path file = dir.resolve("d.npy");
        Files.write(file, NpyTestFiles.npy(1, descr, false, new int[] {2, 3}, values));
        Tensor t = Tensor.fromNpy(file);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        for (int i = 0; i < values.length; i++) {
            assertEquals((float) values[i], t.get(i), descr + " element " + i);
        }
    }

    @Test
    void float64IsRoundedToNearestFloat32() throws IOException {
        Path file = dir.resolve("d.npy");
        Files.write(file, NpyTestFiles.npy(1, "<f8", false, new int[] {2}, new double[] {0.1, 1e300}));
        Tensor t = Tensor.fromNpy(file);
        assertEquals(0.1f, t.get(0));
        assertEquals(Float.POSITIVE_INFINITY, t.get(1));
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {1, 2, 3})
    void readsEveryFormatVersion(int version) throws IOException {
        Path file = dir.resolve("v.npy");
        Files.write(file, NpyTestFiles.npy(version, "<f4", false, new int[] {3}, new double[] {1, 2, 3}));
        assertArrayEquals(new float[] {1, 2, 3}, Tensor.fromNpy(file).toArray());
    }

    @Test
    void fortranOrderIsReorderedToRowMajor() throws IOException {
        // The 2×3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column.
        Path file = dir.resolve("f.npy");
        Files.write(file, NpyTestFiles.npy(1, "<f4", true, new int[] {2, 3}, new double[] {1, 4, 2, 5, 3, 6}));
        Tensor t = Tensor.fromNpy(file);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
    }

    @Test
    void fortranOrderOfThreeDimensionsMatchesTheIndexFormula() throws IOException {
        int[] shape = {2, 3, 4};
        double[] fortran = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    fortran[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
                }
            }
        }
        Path file = dir.resolve("f3.npy");
        Files.write(file, NpyTestFiles.npy(1, "<f8", true, shape, fortran));
        Tensor t = Tensor.fromNpy(file);
        for (int c = 0; c < 24; c++) {
            int i = c / 12, j = c / 4 % 3, k = c % 4;
            assertEquals(100 * i + 10 * j + k, t.get(c), "element " + i + "," + j + "," + k);
        }
    }

    @Test
    void headerVariantsNumPyHasWrittenAreAccepted() throws IOException {
        for (String dict : new String[] {
            "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}",
            "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , ) , }",
        }) {
            Path file = dir.resolve("h.npy");
            Files.write(file, NpyTestFiles.withHeader(1, dict, NpyTestFiles.floats(1, 2)));
            assertArrayEquals(new float[] {1, 2}, Tensor.fromNpy(file).toArray(), dict);
        }
    }

    @Test
    void aHeaderClaimingTwoToTheSixtyBytesIsRefusedBeforeAllocating() throws IOException {
        Path file = dir.resolve("huge.npy");
        // 2^28 × 2^30 floats = 2^60 bytes
        Files.write(file, NpyTestFiles.withHeader(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (268435456, 1073741824), }", new byte[16]));
        assertRefused(file, "needs 1152921504606846976 data bytes, found 16");
        Files.write(file, NpyTestFiles.withHeader(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }",
                new byte[16]));
        assertRefused(file, "more than 2^63 bytes");
    }

    /**
     * A zero axis means no data, however large the other axes are: (2^31−1, 2^31−1, 0) is an empty tensor
     * of that shape, not "more than 2^63 bytes". In either order, and whatever the dtype.
     */
    @Test
    void zeroElementArraysOfHugeShapesAreReadAsEmptyTensors() throws IOException {
        int big = Integer.MAX_VALUE;
        int[][] shapes = {{big, big, 0}, {0, big, big, big, big}, {big, 0, big}, {0}, {3, 0}};
        for (int[] shape : shapes) {
            for (String descr : new String[] {"<f4", ">f8", "|u1"}) {
                for (boolean fortran : new boolean[] {false, true}) {
                    Path file = write(NpyTestFiles.npy(1, descr, fortran, shape, new double[0]));
                    String what = Arrays.toString(shape) + " " + descr + (fortran ? " fortran" : "");
                    Tensor t = Tensor.fromNpy(file);
                    assertArrayEquals(shape, t.shape(), what);
                    assertEquals(0, t.size(), what);
                    assertEquals(0, t.toArray().length, what);
                }
            }
        }
        // No data is all a zero-element array may hold.
        assertRefused(write(NpyTestFiles.withHeader(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 0), }",
                NpyTestFiles.floats(1))), "shape (2147483647, 2147483647, 0) of <f4 needs 0 data bytes, found 4");
        // An axis no Tensor can have is refused for that reason, even beside a zero.
        assertRefused(write(NpyTestFiles.withHeader(1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 0), }", new byte[0])),
                "dimension 0 of shape [4294967296, 0] is larger than 2147483647, the largest a Tensor axis can be");
    }

    @Test
    void malformedFilesAreRefusedWithTheProblemNamed() throws IOException {
        byte[] valid = NpyTestFiles.npy(1, "<f4", false, new int[] {2, 2}, new double[] {1, 2, 3, 4});
        assertRefused(write(new byte[0]), "not a .npy file");
        // A file of another known kind is named as what it is (FileKindTest covers every kind).
        assertRefused(write("hello world, not numpy".getBytes()), "this is a text file, not a NumPy .npy file");
        byte[] version = valid.clone();
        version[6] = 4;
        assertRefused(write(version), "version 4.0 is not supported");
        assertRefused(write(Arrays.copyOf(valid, 9)), "not a .npy file");
        assertRefused(write(Arrays.copyOf(valid, 40)), "truncated");
        assertRefused(write(Arrays.copyOf(valid, valid.length - 1)), "needs 16 data bytes, found 15 (truncated)");
        assertRefused(write(Arrays.copyOf(valid, valid.length + 3)), "found 19 (trailing bytes)");
        byte[] longHeader = valid.clone();
        longHeader[8] = (byte) 0xFF;
        longHeader[9] = (byte) 0xFF;
        assertRefused(write(longHeader), "truncated: the header claims 65535 bytes");
        byte[] v2 = NpyTestFiles.npy(2, "<f4", false, new int[] {1}, new double[] {1});
        v2[11] = 0x7F; // header length near 2^31
        assertRefused(write(v2), "more than the 65536 bytes");

        String[][] headers = {
            {"{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "dtype '<c8' is not supported"},
            {"{'descr': 'O', 'fortran_order': False, 'shape': (2,), }", "dtype 'O' is not supported"},
            {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured dtypes"},
            {"{'descr': '<f4', 'shape': (2,), }", "lacks the key 'fortran_order'"},
            {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "unexpected character '0'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "non-negative integer"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected character '1'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': True}", "expected exactly"},
            {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "appears twice"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296,), }", "larger than 2147483647"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "a dimension of more"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "ends too early"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", "after the closing brace"},
            {"{'descr: '<f4', 'fortran_order': False, 'shape': (2,)}", "expected ':'"},
        };
        for (String[] header : headers) {
            assertRefused(write(NpyTestFiles.withHeader(1, header[0], NpyTestFiles.floats(1, 2))), header[1]);
        }
    }

    @Test
    void aMissingFileIsAnIoErrorNotAFormatError() {
        IOException e = assertCause(IOException.class, () -> Tensor.fromNpy(dir.resolve("absent.npy")));
        assertTrue(!(e instanceof NpyFormatException), e.toString());
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("bad.npy"), bytes);
    }

    private static void assertRefused(Path file, String expected) {
        NpyFormatException e = assertCause(NpyFormatException.class, () -> Tensor.fromNpy(file), expected);
        assertTrue(e.getMessage().contains(expected), "'" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }
}
