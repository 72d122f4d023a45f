package dev.kiln.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a {@link RemoteDataset}'s files into a directory, verifying each one's size and SHA-256
 * before it appears under its own name: bytes stream into a temporary file beside the target, are
 * hashed on the way, and the file is moved into place atomically only when both match. A failed or
 * corrupt download leaves nothing behind. Mirrors are tried in order; a progress line goes to stderr.
 *
 * <pre>{@code
 * Path dir = DatasetDownloader.standard().download(RemoteDataset.FASHION_MNIST, Path.of("data/fashion-mnist"));
 * }</pre>
 */
public final class DatasetDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetDownloader.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final int BUFFER_BYTES = 1 << 16;

    private final HttpClient client;
    private final PrintStream progressOut;
    private final boolean terminal;
    private final Duration stallTimeout;

    DatasetDownloader(HttpClient client, PrintStream progressOut, boolean terminal, Duration stallTimeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.progressOut = Objects.requireNonNull(progressOut, "progressOut");
        this.terminal = terminal;
        this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
    }

    /** Follows redirects (never from https to http), gives up on a silent connection after a minute. */
    public static DatasetDownloader standard() {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        var console = System.console();
        return new DatasetDownloader(client, System.err, console != null && console.isTerminal(), STALL_TIMEOUT);
    }

    /**
     * Downloads every file of {@code dataset} that {@code directory} does not already hold, creating the
     * directory if needed, and returns the directory.
     *
     * @throws DownloadException if a file could not be had from any mirror; the message names each URL
     *         tried and why it failed
     * @throws IOException if the directory cannot be created or written
     */
    public Path download(RemoteDataset dataset, Path directory) throws IOException {
        Files.createDirectories(directory);
        for (RemoteFile file : dataset.files()) {
            Path target = directory.resolve(file.name());
            if (!Files.exists(target)) {
                downloadFromAnyMirror(dataset, file, target);
            }
        }
        return directory;
    }

    private void downloadFromAnyMirror(RemoteDataset dataset, RemoteFile file, Path target) throws IOException {
        List<DownloadException> failures = new ArrayList<>();
        for (URI mirror : dataset.mirrors()) {
            URI url = RemoteDataset.urlOf(mirror, file);
            try {
                fetch(url, file, target);
                return;
            } catch (DownloadException e) {
                LOG.debug("Download of {} failed", url, e);
                failures.add(e);
            }
        }
        if (failures.size() == 1) {
            throw failures.get(0);
        }
        StringBuilder message = new StringBuilder("Cannot download " + file.name() + " of " + dataset.title()
                + " from any of " + failures.size() + " mirrors:");
        failures.forEach(f -> message.append("\n  ").append(f.getMessage()));
        DownloadException all = new DownloadException(message.toString(), failures.get(0));
        failures.subList(1, failures.size()).forEach(all::addSuppressed);
        throw all;
    }

    /** One attempt: stream {@code url} into a temporary file, check size and digest, move it into place. */
    void fetch(URI url, RemoteFile file, Path target) throws DownloadException {
        Path temp = null;
        DownloadProgress progress = new DownloadProgress(progressOut, terminal, file.name(), file.bytes());
        boolean finished = false;
        try {
            temp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + file.name() + ".", ".part");
            HttpRequest request = HttpRequest.newBuilder(url).timeout(stallTimeout).header("User-Agent", "Kiln").GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new DownloadException(url, "HTTP " + response.statusCode());
                }
                long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared >= 0 && declared != file.bytes()) {
                    throw new DownloadException(url, "the server offers " + declared + " bytes but the published "
                            + file.name() + " has " + file.bytes() + "; refusing it");
                }
                progress.start(url.toString());
                byte[] digest = copyHashed(url, body, temp, file, progress);
                String actual = HexFormat.of().formatHex(digest);
                if (!actual.equals(file.sha256())) {
                    throw new DownloadException(url, "SHA-256 mismatch: got " + actual + ", expected " + file.sha256()
                            + "; the download is not the published file and was deleted");
                }
            }
            moveIntoPlace(temp, target);
            progress.finish(file.bytes());
            finished = true;
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw new DownloadException(url, "download failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException(url, "interrupted", e);
        } finally {
            if (!finished) {
                progress.abandon();
            }
            deleteQuietly(temp);
        }
    }

    /** Copies at most the expected number of bytes, hashing them, and checks the count is exact. */
    private byte[] copyHashed(URI url, InputStream body, Path temp, RemoteFile file, DownloadProgress progress)
            throws IOException {
        MessageDigest sha256 = sha256();
        long received = 0;
        try (StallGuard guard = new StallGuard(body, stallTimeout); OutputStream out = Files.newOutputStream(temp)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            int n;
            while ((n = readGuarded(body, buffer, guard, url)) > 0) {
                received += n;
                if (received > file.bytes()) {
                    throw new DownloadException(url, "the server sent more than the " + file.bytes()
                            + " bytes of the published " + file.name() + "; refusing it");
                }
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
                guard.progressed();
                progress.update(received);
            }
            if (guard.stalled()) {
                throw stalled(url, received, file);
            }
        }
        if (received != file.bytes()) {
            throw new DownloadException(url, "the connection ended after " + received + " of " + file.bytes() + " bytes");
        }
        return sha256.digest();
    }

    private int readGuarded(InputStream body, byte[] buffer, StallGuard guard, URI url) throws IOException {
        try {
            return body.read(buffer);
        } catch (IOException e) {
            if (guard.stalled()) {
                return -1; // reported by the caller with the byte count
            }
            throw e;
        }
    }

    private DownloadException stalled(URI url, long received, RemoteFile file) {
        return new DownloadException(url, "no data for " + stallTimeout.toMillis() / 1000.0 + " s after " + received + " of "
                + file.bytes() + " bytes; gave up");
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("Cannot delete the partial download {}", temp, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
