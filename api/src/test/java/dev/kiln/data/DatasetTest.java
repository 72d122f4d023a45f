package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every source yields its rows in order; shuffling, batching, prefetching and their errors. */
class DatasetTest {
    @TempDir
    Path dir;

    /** Rows of x (then y) of every batch of one pass, and the batch sizes. */
    record Read(List<float[]> x, List<float[]> y, List<Integer> batches) {
    }

    static Read read(Dataset data, int epoch) throws IOException {
        List<float[]> xs = new ArrayList<>();
        List<float[]> ys = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        try (DatasetPass pass = data.open(epoch)) {
            while (pass.next()) {
                sizes.add(pass.rows());
                for (int r = 0; r < pass.rows(); r++) {
                    xs.add(Arrays.copyOfRange(pass.x(), r * pass.xWidth(), (r + 1) * pass.xWidth()));
                    ys.add(Arrays.copyOfRange(pass.y(), r * pass.yWidth(), (r + 1) * pass.yWidth()));
                }
            }
        }
        return new Read(xs, ys, sizes);
    }

    static float[][] rows(int n, int width) {
        float[][] x = new float[n][width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                x[i][j] = i * 10 + j;
            }
        }
        return x;
    }

    static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
        }
        return y;
    }

    private static void assertRowsInOrder(Read read, float[][] x, int[] y) {
        assertEquals(x.length, read.x().size());
        for (int i = 0; i < x.length; i++) {
            assertArrayEquals(x[i], read.x().get(i), "row " + i);
            assertArrayEquals(new float[] {y[i]}, read.y().get(i), "label " + i);
        }
    }

    @Test
    void arraysComeInOrderInBatchesWithAShortLastOne() throws IOException {
        float[][] x = rows(10, 3);
        int[] y = labels(10);
        for (boolean prefetch : new boolean[] {true, false}) {
            Read read = read(Dataset.of(x, y).batch(4).prefetch(prefetch), 0);
            assertRowsInOrder(read, x, y);
            assertEquals(List.of(4, 4, 2), read.batches());
        }
        assertEquals(3, Dataset.of(x, y).batch(4).steps());
        assertEquals(Dataset.DEFAULT_BATCH_SIZE, Dataset.of(x, y).batchSize());
        Read tensors = read(Dataset.of(Tensor.of(x), y).batch(3), 0);
        assertRowsInOrder(tensors, x, y);
    }

    @Test
    void npyFilesAreMappedRowByRowWithIntegerLabels() throws IOException {
        float[][] x = rows(7, 5);
        int[] y = labels(7);
        Path xFile = dir.resolve("x.npy");
        Tensor.of(x).toNpy(xFile);
        Path yFile = writeInt64Npy(dir.resolve("y.npy"), y);
        Read read = read(Dataset.fromNpy(xFile, yFile).batch(3), 0);
        assertRowsInOrder(read, x, y);
        assertEquals(List.of(3, 3, 1), read.batches());
        assertEquals(7, Dataset.fromNpy(xFile, yFile).rows());
        Read xOnly = read(Dataset.fromNpy(xFile), 0);
        assertEquals(7, xOnly.x().size());
        assertEquals(0, xOnly.y().get(0).length);
    }

    @Test
    void npyRowCountsMustAgree() throws IOException {
        Path xFile = dir.resolve("x.npy");
        Tensor.of(rows(7, 2)).toNpy(xFile);
        Path yFile = writeInt64Npy(dir.resolve("y.npy"), labels(6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.fromNpy(xFile, yFile));
        assertTrue(e.getMessage().contains("7 rows") && e.getMessage().contains("has 6"), e.getMessage());
    }

    @Test
    void idxFilesStreamGzipOrNot() throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path images = IdxTestFiles.write(dir.resolve("img" + gzip), IdxTestFiles.imageFile(IdxTestFiles.IMAGES, 2, 2),
                    gzip);
            Path labelFile = IdxTestFiles.write(dir.resolve("lab" + gzip), IdxTestFiles.labelFile(IdxTestFiles.LABELS),
                    gzip);
            LabeledImages whole = IdxReader.readLabeled(images, labelFile, 3);
            Read read = read(Dataset.fromIdx(images, labelFile).batch(2), 0);
            assertRowsInOrder(read, whole.images(), whole.labels());
            assertEquals(List.of(2, 1), read.batches());
        }
    }

    @Test
    void csvStreamsLineByLineWithTheLabelColumnAnywhere() throws IOException {
        Path file = dir.resolve("t.csv");
        Files.writeString(file, "a,label,b\n1.5,2,3\n-4,0,5e1\n6,1,.25\n");
        Read read = read(Dataset.fromCsv(file, CsvOption.labelColumn("label")).batch(2), 0);
        assertRowsInOrder(read, new float[][] {{1.5f, 3}, {-4, 50}, {6, 0.25f}}, new int[] {2, 0, 1});
        assertEquals(-1, Dataset.fromCsv(file, CsvOption.labelColumn(1)).rows());

        Path text = dir.resolve("text.csv");
        Files.writeString(text, "a,b\n1,cat\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> read(Dataset.fromCsv(text), 0));
        assertTrue(e.getCause() instanceof CsvFormatException && e.getMessage().contains("'cat'"), e.getMessage());
    }

    @Test
    void generatorBatchesAreKeptAsYieldedUnlessRebatched() throws IOException {
        float[][] x = rows(7, 2);
        int[] y = labels(7);
        Iterable<Batch> batches = () -> List.of(
                Batch.of(Arrays.copyOfRange(x, 0, 3), Arrays.copyOfRange(y, 0, 3)),
                Batch.of(Arrays.copyOfRange(x, 3, 4), Arrays.copyOfRange(y, 3, 4)),
                Batch.of(Arrays.copyOfRange(x, 4, 7), Arrays.copyOfRange(y, 4, 7))).iterator();
        Read own = read(Dataset.fromBatches(batches), 0);
        assertRowsInOrder(own, x, y);
        assertEquals(List.of(3, 1, 3), own.batches());
        assertEquals(-1, Dataset.fromBatches(batches).steps());
        Read rebatched = read(Dataset.fromBatches(batches).batch(2), 0);
        assertRowsInOrder(rebatched, x, y);
        assertEquals(List.of(2, 2, 2, 1), rebatched.batches());
        Read again = read(Dataset.fromBatches(batches), 1); // an Iterable starts over each pass
        assertEquals(7, again.x().size());
    }

    @Test
    void aOneTimeIteratorGivesOnePass() throws IOException {
        Dataset once = Dataset.fromIterator(List.of(Batch.of(rows(2, 2), labels(2))).iterator());
        assertEquals(2, read(once, 0).x().size());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> once.open(1));
        assertTrue(e.getMessage().contains("stepsPerEpoch"), e.getMessage());
    }

    @Test
    void badGeneratorBatchesAreNamed() {
        Iterable<Batch> nullBatch = () -> Arrays.asList(Batch.of(rows(2, 2), labels(2)), null).iterator();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(Dataset.fromBatches(nullBatch), 0));
        assertTrue(e.getMessage().contains("null as batch 1"), e.getMessage());

        Iterable<Batch> wider = () -> List.of(Batch.of(rows(2, 2), labels(2)), Batch.of(rows(2, 3), labels(2)))
                .iterator();
        e = assertThrows(IllegalArgumentException.class, () -> read(Dataset.fromBatches(wider).prefetch(false), 0));
        assertTrue(e.getMessage().contains("batch 1") && e.getMessage().contains("3 values"), e.getMessage());

        Iterable<Batch> none = () -> List.<Batch>of().iterator();
        e = assertThrows(IllegalArgumentException.class, () -> Dataset.fromBatches(none).open());
        assertTrue(e.getMessage().contains("no batch"), e.getMessage());

        float[][] nan = rows(3, 2);
        nan[2][1] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> read(Dataset.of(nan, labels(3)).batch(2), 0));
        assertTrue(e.getMessage().contains("batch 1 row 0") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void badArraysAndOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(rows(3, 2), labels(2)));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(new float[0][], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(rows(3, 2), labels(3)).batch(0));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(rows(3, 2), labels(3)).shuffle(0, 1));
        Iterable<Batch> gen = () -> List.of(Batch.of(rows(2, 2), labels(2))).iterator();
        assertThrows(IllegalStateException.class, () -> Dataset.fromBatches(gen).shuffle(4, 1).open());
    }

    @Test
    void shufflingIsASeededPermutationThatChangesPerEpoch() throws IOException {
        float[][] x = rows(50, 2);
        int[] y = labels(50);
        Dataset data = Dataset.of(x, y).shuffle(8, 42).batch(7);
        List<Float> first = firstColumn(read(data, 0));
        assertEquals(first, firstColumn(read(data, 0)), "same seed and epoch, same order");
        assertEquals(first, firstColumn(read(Dataset.of(x, y).shuffle(8, 42).batch(7).prefetch(false), 0)));
        assertNotEquals(first, firstColumn(read(data, 1)), "another epoch, another order");
        assertNotEquals(first, firstColumn(read(Dataset.of(x, y).shuffle(8, 43).batch(7), 0)), "another seed");
        List<Float> sorted = new ArrayList<>(first);
        sorted.sort(null);
        for (int i = 0; i < 50; i++) {
            assertEquals(i * 10f, sorted.get(i), "a permutation of the rows");
        }
        // A bounded buffer: a row comes out at most buffer − 1 places before where it was.
        for (int at = 0; at < 50; at++) {
            int row = (int) (first.get(at) / 10);
            assertTrue(row <= at + 7, "row " + row + " came out at " + at);
        }
        Read read = read(data, 0);
        for (int i = 0; i < 50; i++) { // each y travelled with its x
            assertEquals(((int) read.x().get(i)[0] / 10) % 3, (int) read.y().get(i)[0]);
        }
    }

    private static List<Float> firstColumn(Read read) {
        List<Float> out = new ArrayList<>();
        for (float[] r : read.x()) {
            out.add(r[0]);
        }
        return out;
    }

    @Test
    void theReaderThreadSurfacesItsErrorAndStops() throws Exception {
        RuntimeException boom = new IllegalStateException("disk on fire");
        Iterable<Batch> failing = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Batch next() {
                if (i++ == 2) {
                    throw boom;
                }
                return Batch.of(rows(2, 2), labels(2));
            }
        };
        DatasetPass pass = Dataset.fromBatches(failing).open();
        assertTrue(pass.reader().getName().startsWith("kiln-prefetch-") && pass.reader().isDaemon());
        assertTrue(pass.next());
        assertTrue(pass.next());
        assertSame(boom, assertThrows(IllegalStateException.class, pass::next));
        pass.close();
        pass.reader().join(5_000);
        assertFalse(pass.reader().isAlive());
    }

    @Test
    void closingEarlyStopsTheReaderOfAnEndlessGenerator() throws Exception {
        Iterable<Batch> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Batch next() {
                return Batch.of(rows(4, 3), labels(4));
            }
        };
        DatasetPass pass = Dataset.fromBatches(endless).open();
        for (int i = 0; i < 10; i++) {
            assertTrue(pass.next());
            assertEquals(4, pass.rows());
        }
        pass.close();
        assertFalse(pass.reader().isAlive());
        assertThrows(IllegalStateException.class, pass::next);
    }

    /** A NumPy 1.0 file of int64 class indices, written byte by byte. */
    static Path writeInt64Npy(Path file, int[] values) throws IOException {
        String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + values.length + ",), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (int v : values) {
            out.putLong(v);
        }
        Files.write(file, out.array());
        return file;
    }
}
