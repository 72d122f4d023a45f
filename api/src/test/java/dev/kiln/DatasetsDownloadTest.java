package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DatasetDownloader;
import dev.kiln.data.DownloadException;
import dev.kiln.data.LoopbackServer;
import dev.kiln.data.RemoteDataset;
import dev.kiln.data.RemoteTestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lookup-then-download path of {@code Datasets.fashionMnist()} / {@code mnist()}, run against a
 * server this test starts on 127.0.0.1. No test downloads from the internet.
 */
class DatasetsDownloadTest {
    @TempDir
    Path tmp;

    private LoopbackServer server;
    private RemoteDataset tiny;

    @BeforeEach
    void startServer() throws IOException {
        server = LoopbackServer.start();
        var files = RemoteTestFiles.smallIdxDataset();
        server.files().putAll(files);
        tiny = RemoteTestFiles.dataset(files, server.base());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void whenNoCopyExistsTheFilesAreDownloadedVerifiedAndLoaded() {
        Path home = tmp.resolve("home");
        Path target = Datasets.downloadDirectory(home.toString(), "tiny");
        assertEquals(home.resolve(".kiln/datasets/tiny"), target);
        List<Path> candidates = List.of(tmp.resolve("absent"), target);

        Path dir = Datasets.locateOrDownload(tiny, candidates, target, DatasetDownloader::standard);
        assertEquals(target, dir);
        assertEquals(4, server.requests.get());
        Datasets.Split split = Datasets.mnist(dir);
        assertArrayEquals(new int[] {2, 0, 1}, split.yTrain());
        assertArrayEquals(new int[] {9, 4}, split.yTest());
        assertEquals(1.0f, split.xTrain()[0][1]);

        // The second time the copy is found where the first download put it.
        assertEquals(target, Datasets.locateOrDownload(tiny, candidates, target, DatasetDownloader::standard));
        assertEquals(4, server.requests.get());
    }

    @Test
    void aLocalCopyIsPreferredAndNothingIsDownloaded() throws IOException {
        Path local = tmp.resolve("local");
        Files.createDirectories(local);
        for (var file : server.files().entrySet()) {
            Files.write(local.resolve(file.getKey()), file.getValue());
        }
        Path target = tmp.resolve("home/.kiln/datasets/tiny");
        assertEquals(local, Datasets.locateOrDownload(tiny, List.of(target, local), target, () -> {
            throw new AssertionError("a local copy needs no downloader");
        }));
        assertEquals(0, server.requests.get());
        assertTrue(Files.notExists(target));
    }

    @Test
    void aFailedDownloadSaysWhereItLookedWhatFailedAndHowToInstallByHand() {
        server.files().remove("t10k-images-idx3-ubyte.gz");
        Path target = tmp.resolve("home/.kiln/datasets/tiny");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Datasets.locateOrDownload(tiny, List.of(tmp.resolve("absent"), target), target,
                        DatasetDownloader::standard));
        assertInstanceOf(DownloadException.class, e.getCause());
        String message = e.getMessage();
        for (String part : List.of("Tiny not found locally and the download failed", tmp.resolve("absent")
                + ": no such directory", "Downloading into " + target + " failed: ", server.base()
                + "t10k-images-idx3-ubyte.gz: HTTP 404", "Or copy the four files", "~/.kiln/datasets/tiny")) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }
        assertTrue(Files.notExists(target.resolve("t10k-images-idx3-ubyte.gz")));
    }

    @Test
    void withoutAHomeDirectoryThereIsNowhereToDownloadTo() {
        assertEquals(null, Datasets.downloadDirectory(null, "mnist"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Datasets.locateOrDownload(tiny, List.of(tmp.resolve("absent")), null, DatasetDownloader::standard));
        assertTrue(e.getMessage().contains("no home directory"), e.getMessage());
        assertEquals(0, server.requests.get());
    }

    @Test
    void offlineMeansNotFoundWithoutTryingTheNetwork() {
        Path target = tmp.resolve("home/.kiln/datasets/tiny");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Datasets.locateOrDownload(tiny, List.of(target), target, null));
        assertTrue(e.getMessage().contains("downloads are turned off (kiln.offline / KILN_OFFLINE)"), e.getMessage());
        assertEquals(0, server.requests.get());
        assertTrue(Datasets.offline("true", null));
        assertTrue(Datasets.offline(null, "1"));
        assertTrue(Datasets.offline("false", "TRUE"));
        assertTrue(!Datasets.offline(null, null) && !Datasets.offline("no", "0"));
    }

    @Test
    void theTestSuiteRunsOffline() {
        assertEquals("true", System.getProperty("kiln.offline"), "api/pom.xml sets kiln.offline for tests");
    }

    @Test
    void mnistIsLookedForOnlyInDirectoriesNamedMnist() {
        assertEquals(List.of(Path.of("/data/mnist"), Path.of("/home/ada/.kiln/datasets/mnist"),
                Path.of("/usr/share/datasets/mnist")), Datasets.mnistCandidates("/data", "/home/ada"));
        assertEquals(List.of(Path.of("/usr/share/datasets/mnist")), Datasets.mnistCandidates(" ", null));
    }
}
