package dev.kiln.data;

import java.io.IOException;
import java.net.URI;

/**
 * A data-set file could not be downloaded: the server answered with an error status, the connection
 * failed or was cut, or the bytes were not the published file (wrong size or SHA-256). The message names
 * the URL and the cause; nothing is left in the target directory.
 *
 * <pre>{@code
 * try {
 *     DatasetDownloader.standard().download(RemoteDataset.MNIST, dir);
 * } catch (DownloadException e) {
 *     System.err.println(e.getMessage()); // e.g. "https://.../train-images-idx3-ubyte.gz: HTTP 404"
 * }
 * }</pre>
 */
public final class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    DownloadException(URI url, String problem) {
        super(url + ": " + problem);
    }

    DownloadException(URI url, String problem, Throwable cause) {
        super(url + ": " + problem, cause);
    }

    DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
