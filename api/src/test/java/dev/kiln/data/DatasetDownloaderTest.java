package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every download goes to a server this test starts on 127.0.0.1; nothing reaches the internet. */
class DatasetDownloaderTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    private LoopbackServer server;
    private Map<String, byte[]> published;

    @BeforeEach
    void startServer() throws IOException {
        published = RemoteTestFiles.smallIdxDataset();
        server = LoopbackServer.start();
        server.files().putAll(published);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void downloadsEveryFileVerifiedAndReadable() throws IOException {
        Path target = dir.resolve("datasets").resolve("tiny");
        assertEquals(target, downloader(false).download(dataset(server.base()), target));
        for (var file : published.entrySet()) {
            assertArrayEquals(file.getValue(), Files.readAllBytes(target.resolve(file.getKey())), file.getKey());
        }
        assertEquals(4, server.requests.get());
        assertEquals("Kiln", server.userAgents.get(0));
        assertOnlyFiles(target, published.keySet().toArray(String[]::new));
        LabeledImages train = IdxReader.readLabeled(target.resolve("train-images-idx3-ubyte.gz"),
                target.resolve("train-labels-idx1-ubyte.gz"), 10);
        assertArrayEquals(new int[] {2, 0, 1}, train.labels());

        String printed = progress.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("Downloading train-images-idx3-ubyte.gz (0.0 MB) from " + server.base()
                + "train-images-idx3-ubyte.gz"), printed);
        assertTrue(printed.contains("Downloaded t10k-labels-idx1-ubyte.gz 0.0/0.0 MB, SHA-256 verified"), printed);
        assertEquals(8, printed.lines().count(), "one line at the start and one at the end of each file:\n" + printed);
    }

    @Test
    void filesAlreadyThereAreNotFetchedAgain() throws IOException {
        Path target = dir.resolve("partial");
        Files.createDirectories(target);
        Files.write(target.resolve("train-images-idx3-ubyte.gz"), published.get("train-images-idx3-ubyte.gz"));
        downloader(false).download(dataset(server.base()), target);
        assertEquals(3, server.requests.get());
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlace() throws IOException {
        downloader(true).download(dataset(server.base()), dir);
        String printed = progress.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("\rDownloading train-labels-idx1-ubyte.gz 0.0/0.0 MB"), printed);
        assertEquals(4, printed.chars().filter(c -> c == '\n').count(), "one finished line per file:\n" + printed);
    }

    @Test
    void progressLineFormatsMegabytes() {
        assertEquals("12.3", DownloadProgress.megabytes(12_345_678));
        assertEquals("26.4", DownloadProgress.megabytes(26_421_880));
    }

    @Test
    void aHashMismatchIsRefusedAndTheBadFileDeleted() throws IOException {
        byte[] tampered = published.get("t10k-images-idx3-ubyte.gz").clone();
        tampered[tampered.length / 2] ^= 0x01;
        server.files().put("t10k-images-idx3-ubyte.gz", tampered);
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader(false).download(dataset(server.base()), dir));
        assertMessage(e, server.base() + "t10k-images-idx3-ubyte.gz: SHA-256 mismatch: got " + RemoteTestFiles.sha256(tampered)
                + ", expected " + RemoteTestFiles.sha256(published.get("t10k-images-idx3-ubyte.gz")), "deleted");
        assertOnlyFiles(dir, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
    }

    @Test
    void aFileOfTheWrongSizeIsRefusedBeforeItIsRead() throws IOException {
        server.files().put("train-labels-idx1-ubyte.gz", new byte[5]);
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader(false).download(dataset(server.base()), dir));
        assertMessage(e, server.base() + "train-labels-idx1-ubyte.gz", "offers 5 bytes");
        assertOnlyFiles(dir, "train-images-idx3-ubyte.gz");
    }

    @Test
    void notFoundNamesTheUrlAndTheStatus() throws IOException {
        server.files().remove("train-labels-idx1-ubyte.gz");
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader(false).download(dataset(server.base()), dir));
        assertMessage(e, server.base() + "train-labels-idx1-ubyte.gz: HTTP 404");
        assertOnlyFiles(dir, "train-images-idx3-ubyte.gz");
    }

    @Test
    void aConnectionCutMidwayIsReportedAndLeavesNothing() throws IOException {
        byte[] whole = published.get("train-images-idx3-ubyte.gz");
        try (var cutting = new LoopbackServer.Misbehaving(whole.length, Arrays.copyOf(whole, whole.length / 2), 0)) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> downloader(false).download(dataset(cutting.base()), dir));
            assertMessage(e, cutting.base() + "train-images-idx3-ubyte.gz: ");
            assertTrue(e.getMessage().contains("download failed") || e.getMessage().contains("ended after"),
                    e.getMessage());
        }
        assertOnlyFiles(dir);
    }

    @Test
    void withoutAContentLengthTheBytesAreCountedAndExtraOnesRefused() throws IOException {
        server.chunked = true;
        downloader(false).download(dataset(server.base()), dir.resolve("ok"));
        assertOnlyFiles(dir.resolve("ok"), published.keySet().toArray(String[]::new));

        byte[] whole = published.get("train-labels-idx1-ubyte.gz");
        server.files().put("train-labels-idx1-ubyte.gz", Arrays.copyOf(whole, whole.length + 100));
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader(false).download(dataset(server.base()), dir.resolve("long")));
        assertMessage(e, server.base() + "train-labels-idx1-ubyte.gz: the server sent more than the "
                + whole.length + " bytes");
        server.files().put("train-labels-idx1-ubyte.gz", Arrays.copyOf(whole, whole.length - 1));
        e = assertThrows(DownloadException.class,
                () -> downloader(false).download(dataset(server.base()), dir.resolve("short")));
        assertMessage(e, "the connection ended after " + (whole.length - 1) + " of " + whole.length + " bytes");
        assertOnlyFiles(dir.resolve("long"), "train-images-idx3-ubyte.gz");
        assertOnlyFiles(dir.resolve("short"), "train-images-idx3-ubyte.gz");
    }

    @Test
    void aSilentServerIsGivenUpOnInsteadOfHangingForever() throws IOException {
        byte[] whole = published.get("train-images-idx3-ubyte.gz");
        try (var silent = new LoopbackServer.Misbehaving(whole.length, Arrays.copyOf(whole, 10), 30_000)) {
            DatasetDownloader impatient = new DatasetDownloader(HttpClient.newHttpClient(),
                    new PrintStream(progress, true, StandardCharsets.UTF_8), false, Duration.ofMillis(300));
            DownloadException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                    DownloadException.class, () -> impatient.download(dataset(silent.base()), dir)));
            assertMessage(e, silent.base() + "train-images-idx3-ubyte.gz: no data for 0.3 s after 10 of "
                    + whole.length + " bytes");
        }
        assertOnlyFiles(dir);
    }

    @Test
    void laterMirrorsAreTriedWhenEarlierOnesFail() throws IOException {
        URI nobody = LoopbackServer.closedPort();
        downloader(false).download(dataset(nobody, server.base()), dir);
        assertOnlyFiles(dir, published.keySet().toArray(String[]::new));

        Path other = dir.resolve("other");
        try (LoopbackServer empty = LoopbackServer.start()) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> downloader(false).download(dataset(nobody, empty.base()), other));
            assertMessage(e, "Cannot download train-images-idx3-ubyte.gz of Tiny from any of 2 mirrors:",
                    nobody + "train-images-idx3-ubyte.gz: download failed: ConnectException",
                    empty.base() + "train-images-idx3-ubyte.gz: HTTP 404");
            assertEquals(1, e.getSuppressed().length);
        }
        assertOnlyFiles(other);
    }

    @Test
    void publishedDigestsAreWellFormedAndMirrorsEndInSlash() {
        for (RemoteDataset d : List.of(RemoteDataset.FASHION_MNIST, RemoteDataset.MNIST)) {
            assertEquals(4, d.files().size());
            assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
                    d.files().stream().map(RemoteFile::name).toList());
        }
        assertEquals(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz"),
                RemoteDataset.urlOf(RemoteDataset.MNIST.mirrors().get(0), RemoteDataset.MNIST.files().get(3)));
        assertThrows(IllegalArgumentException.class, () -> RemoteDataset.MNIST.withMirrors(URI.create("http://x/a")));
        assertThrows(IllegalArgumentException.class, () -> RemoteDataset.MNIST.withMirrors(URI.create("ftp://x/")));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile("a.gz", 1, "abc"));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile("../a.gz", 1, "0".repeat(64)));
    }

    private RemoteDataset dataset(URI... mirrors) {
        return RemoteTestFiles.dataset(published, mirrors);
    }

    private DatasetDownloader downloader(boolean terminal) {
        return new DatasetDownloader(HttpClient.newHttpClient(), new PrintStream(progress, true, StandardCharsets.UTF_8),
                terminal, Duration.ofSeconds(10));
    }

    /** The directory holds exactly these files: no partial downloads, no temporary files. */
    private static void assertOnlyFiles(Path directory, String... names) throws IOException {
        if (!Files.exists(directory)) {
            assertEquals(0, names.length);
            return;
        }
        try (var listing = Files.list(directory)) {
            List<String> present = listing.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .sorted().toList();
            assertEquals(Arrays.stream(names).sorted().toList(), present);
        }
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
        assertFalse(e.getMessage().isBlank());
    }
}
