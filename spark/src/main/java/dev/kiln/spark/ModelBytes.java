package dev.kiln.spark;

import dev.kiln.Model;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Kiln model file ({@code .kiln}: architecture, weights, optimizer state, step count, seeds) as bytes,
 * with the name it is shipped under and its SHA-256. This is what goes to the executors, once each, as a
 * broadcast: an executor writes it to a file of that name, checks the digest and loads it
 * ({@link ExecutorModels}), so an error there names the file.
 */
final class ModelBytes implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final byte[] bytes;
    private final String sha256;

    private ModelBytes(String name, byte[] bytes) {
        if (name == null || !name.endsWith(".kiln") || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("a shipped model needs a plain file name ending in .kiln, got " + name);
        }
        this.name = name;
        this.bytes = bytes;
        this.sha256 = sha256(bytes);
    }

    /** The model as {@link Model#save} writes it, under {@code name}. */
    static ModelBytes of(Model model, String name) {
        if (model == null) {
            throw new IllegalArgumentException("a Kiln model is needed, got null");
        }
        try {
            Path dir = Files.createTempDirectory("kiln-spark");
            Path file = dir.resolve(name);
            try {
                model.save(file);
                return new ModelBytes(name, Files.readAllBytes(file));
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the model to a temporary .kiln file", e);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("could not write the model to a temporary .kiln file: " + e.getMessage(),
                    e.getCause());
        }
    }

    /** The bytes of the Kiln model file {@code file}, checked by loading it here first. */
    static ModelBytes read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no Kiln model file " + file);
        }
        try (Model ignored = Model.load(file)) {
            return new ModelBytes(file.getFileName().toString(), bytes);
        }
    }

    /** Bytes shipped as they are, unchecked: for tests that need a damaged file to reach the executors. */
    static ModelBytes unchecked(String name, byte[] bytes) {
        return new ModelBytes(name, bytes.clone());
    }

    String name() {
        return name;
    }

    byte[] bytes() {
        return bytes.clone();
    }

    String sha256() {
        return sha256;
    }

    /** A model loaded from these bytes, through a temporary file (Model.load reads files). */
    Model load() {
        try {
            Path dir = Files.createTempDirectory("kiln-spark");
            Path file = dir.resolve(name);
            try {
                Files.write(file, bytes);
                return Model.load(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not load the Kiln model " + name + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("could not load the Kiln model " + name + ": " + e.getMessage(),
                    e.getCause());
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must have", e);
        }
    }
}
