package dev.kiln;

import static dev.kiln.data.IdxTestFiles.IMAGES;
import static dev.kiln.data.IdxTestFiles.LABELS;
import static dev.kiln.data.IdxTestFiles.imageFile;
import static dev.kiln.data.IdxTestFiles.labelFile;
import static dev.kiln.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.IdxFormatException;
import dev.kiln.data.IdxTestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where Datasets looks for Fashion-MNIST, tested on fake directories instead of the real environment. */
class DatasetsTest {
    @TempDir
    Path tmp;

    @Test
    void kilnDataIsSearchedFirstThenItsSubdirectoryThenHomeThenTheSystem() {
        assertEquals(List.of(Path.of("/data"), Path.of("/data/fashion-mnist"),
                Path.of("/home/ada/.kiln/datasets/fashion-mnist"), Path.of("/usr/share/datasets/fashion-mnist")),
                Datasets.candidates("/data", "/home/ada"));
    }

    @Test
    void unsetOrBlankKilnDataAddsNoCandidate() {
        List<Path> expected = List.of(Path.of("/home/ada/.kiln/datasets/fashion-mnist"),
                Path.of("/usr/share/datasets/fashion-mnist"));
        assertEquals(expected, Datasets.candidates(null, "/home/ada"));
        assertEquals(expected, Datasets.candidates("  ", "/home/ada"));
    }

    @Test
    void filesDirectlyInKilnDataAreFound() throws IOException {
        Path kilnData = fakeFashionMnist(tmp.resolve("data"));
        assertEquals(kilnData, Datasets.locate(Datasets.candidates(kilnData.toString(), tmp.toString())));
    }

    @Test
    void filesInAFashionMnistSubdirectoryOfKilnDataAreFound() throws IOException {
        Path kilnData = tmp.resolve("data");
        Path sub = fakeFashionMnist(kilnData.resolve("fashion-mnist"));
        assertEquals(sub, Datasets.locate(Datasets.candidates(kilnData.toString(), tmp.toString())));
    }

    @Test
    void anIncompleteDirectoryIsPassedOver() throws IOException {
        Path incomplete = fakeFashionMnist(tmp.resolve("incomplete"));
        Files.delete(incomplete.resolve("t10k-labels-idx1-ubyte.gz"));
        Path complete = fakeFashionMnist(tmp.resolve("complete"));
        assertEquals(complete, Datasets.locate(List.of(tmp.resolve("absent"), incomplete, complete)));
    }

    @Test
    void notFoundNamesEveryPlaceLookedAndHowToInstall() throws IOException {
        Path incomplete = fakeFashionMnist(tmp.resolve("incomplete"));
        Files.delete(incomplete.resolve("train-images-idx3-ubyte.gz"));
        Path absent = tmp.resolve("absent");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Datasets.locate(List.of(absent, incomplete)));
        String message = e.getMessage();
        assertTrue(message.contains(absent + ": no such directory"), message);
        assertTrue(message.contains(incomplete + ": lacks [train-images-idx3-ubyte]"), message);
        assertTrue(message.contains("apt-get install dataset-fashion-mnist"), message);
        assertTrue(message.contains("~/.kiln/datasets/fashion-mnist"), message);
    }

    @Test
    void loadsASplitFromAnExplicitDirectory() throws IOException {
        Path dir = fakeFashionMnist(tmp.resolve("fm"));
        // An unpacked file is as good as a compressed one.
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        write(dir.resolve("t10k-labels-idx1-ubyte"), labelFile(new byte[] {9, 8, 7}), false);

        Datasets.Split split = Datasets.fashionMnist(dir);
        assertEquals(3, split.xTrain().length);
        assertEquals(4, split.xTrain()[0].length);
        assertEquals(1.0f, split.xTrain()[0][1]);
        assertArrayEquals(new int[] {2, 0, 1}, split.yTrain());
        assertArrayEquals(new int[] {9, 8, 7}, split.yTest());
        assertEquals(128 / 255f, split.xTest()[2][0]);
    }

    @Test
    void malformedFilesSurfaceAsUncheckedIoErrors() throws IOException {
        Path dir = fakeFashionMnist(tmp.resolve("fm"));
        write(dir.resolve("train-labels-idx1-ubyte.gz"), labelFile(new byte[] {1, 2}), true);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.fashionMnist(dir));
        assertInstanceOf(IdxFormatException.class, e.getCause());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    /**
     * A small label file lying about its count is refused, not an OutOfMemoryError: two billion labels
     * from the header (they could never fit the heap), a sixteenth of the heap's worth once the bytes run out.
     */
    @Test
    void aLyingLabelFileEndsInAClearErrorNotOutOfMemory() throws IOException {
        long withinHeap = Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 16);
        for (long claim : new long[] {2_000_000_000L, withinHeap}) {
            Path dir = fakeFashionMnist(tmp.resolve("fm" + claim));
            write(dir.resolve("train-labels-idx1-ubyte.gz"),
                    IdxTestFiles.lyingGzip(IdxTestFiles.header(0x08, (int) claim), 1 << 20, claim, 3), false);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.fashionMnist(dir));
            assertInstanceOf(IdxFormatException.class, e.getCause());
            assertTrue(e.getMessage().contains(claim == withinHeap ? "truncated" : "MiB of heap"), e.getMessage());
        }
    }

    @Test
    void anExplicitDirectoryWithoutTheFilesIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Datasets.fashionMnist(tmp));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void splitRefusesRowsWithoutLabels() {
        assertThrows(IllegalArgumentException.class,
                () -> new Datasets.Split(new float[2][4], new int[1], new float[0][], new int[0]));
    }

    /** The four Fashion-MNIST file names, each holding the three tiny 2×2 test images or their labels. */
    private static Path fakeFashionMnist(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String prefix : new String[] {"train", "t10k"}) {
            write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), imageFile(IMAGES, 2, 2), true);
            write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), labelFile(LABELS), true);
        }
        return dir;
    }

    @Test
    void aSplitOffersItsRowsAsImagesChannelsLast() {
        float[][] train = {{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}};
        Datasets.ImageSplit images = new Datasets.Split(train, new int[] {0, 1}, new float[][] {{5, 4, 3, 2, 1, 0}},
                new int[] {1}).asImages(2, 3, 1);
        assertArrayEquals(new int[] {2, 2, 3, 1}, images.xTrain().shape());
        assertArrayEquals(new int[] {1, 2, 3, 1}, images.xTest().shape());
        assertEquals(9f, images.xTrain().get(9));
        assertEquals(0f, images.xTest().get(5));
        assertArrayEquals(new int[] {0, 1}, images.yTrain());
        var e = assertThrows(IllegalArgumentException.class, () -> new Datasets.Split(train, new int[] {0, 1},
                train, new int[] {0, 1}).asImages(28, 28, 1));
        assertEquals("xTrain rows hold 6 values but images of shape [28, 28, 1] hold 784", e.getMessage());
    }
}
