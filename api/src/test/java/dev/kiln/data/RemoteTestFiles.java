package dev.kiln.data;

import static dev.kiln.data.IdxTestFiles.IMAGES;
import static dev.kiln.data.IdxTestFiles.LABELS;
import static dev.kiln.data.IdxTestFiles.gzip;
import static dev.kiln.data.IdxTestFiles.imageFile;
import static dev.kiln.data.IdxTestFiles.labelFile;

import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny published data set for download tests: four valid IDX files and their sizes and digests. */
public final class RemoteTestFiles {
    private RemoteTestFiles() {
    }

    /** Four tiny IDX files in the MNIST layout, gzip-compressed as published. */
    public static Map<String, byte[]> smallIdxDataset() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("train-images-idx3-ubyte.gz", gzip(imageFile(IMAGES, 2, 2)));
        files.put("train-labels-idx1-ubyte.gz", gzip(labelFile(LABELS)));
        files.put("t10k-images-idx3-ubyte.gz", gzip(imageFile(new byte[][] {IMAGES[2], IMAGES[0]}, 2, 2)));
        files.put("t10k-labels-idx1-ubyte.gz", gzip(labelFile(new byte[] {9, 4})));
        return files;
    }

    /** The published files' names, sizes and digests, served from {@code mirrors}. */
    public static RemoteDataset dataset(Map<String, byte[]> files, URI... mirrors) {
        List<RemoteFile> remote = files.entrySet().stream()
                .map(f -> new RemoteFile(f.getKey(), f.getValue().length, sha256(f.getValue()))).toList();
        return new RemoteDataset("tiny", "Tiny", List.of(mirrors), remote);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
