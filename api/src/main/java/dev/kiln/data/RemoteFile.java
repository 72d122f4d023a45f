package dev.kiln.data;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * One published file of a data set: its name, its exact size and the SHA-256 digest of its bytes. A
 * download is kept only when both match, so a mirror serving anything else is caught.
 *
 * <pre>{@code
 * new RemoteFile("train-labels-idx1-ubyte.gz", 28_881,
 *         "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c");
 * }</pre>
 */
public record RemoteFile(String name, long bytes, String sha256) {
    public RemoteFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("file name must be a plain name, got '" + name + "'");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("size of " + name + " must be >= 0, got " + bytes);
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (sha256.length() != 64 || !sha256.chars().allMatch(HexFormat::isHexDigit)) {
            throw new IllegalArgumentException("SHA-256 of " + name + " must be 64 hex digits, got '" + sha256 + "'");
        }
    }
}
