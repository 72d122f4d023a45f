package dev.kiln.spark;

import dev.kiln.Model;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;

/**
 * The models an executor JVM holds for scoring: one per shipped model file, loaded the first time a task
 * needs it and shared by every later task in this JVM (Model calls are serialised on the model, and its
 * kernels already use every core). The file is written into Spark's per-executor files directory under
 * its shipped name, checked against the driver's SHA-256 and loaded from there, so a damaged or vanished
 * file fails the task, and after Spark's retries the job, with a message naming it.
 */
final class ExecutorModels {
    private static final Map<String, Model> LOADED = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    static Model shared(ModelBytes model) {
        return LOADED.computeIfAbsent(model.sha256(), k -> load(model));
    }

    /** A fresh model from the shipped file, owned by the caller. */
    static Model load(ModelBytes model) {
        Path file = write(model);
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("Kiln model file " + file + " is missing on executor " + where());
            }
            String digest = ModelBytes.sha256(Files.readAllBytes(file));
            if (!digest.equals(model.sha256())) {
                throw new IllegalStateException("Kiln model file " + file + " on executor " + where()
                        + " is corrupt: its SHA-256 is " + digest + " but the driver shipped " + model.sha256());
            }
            return Model.load(file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException ise && ise.getMessage().startsWith("Kiln model file ")) {
                throw ise;
            }
            throw new IllegalStateException("Kiln model file " + file + " could not be loaded on executor " + where()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Writes the shipped bytes once per JVM and content (atomically, so concurrent tasks never see half). */
    private static Path write(ModelBytes model) {
        Path dir = filesDirectory();
        String stem = model.name().substring(0, model.name().length() - ".kiln".length());
        Path file = dir.resolve(stem + "-" + model.sha256().substring(0, 16) + ".kiln");
        if (Files.exists(file)) {
            return file;
        }
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, stem, ".part");
            Files.write(temp, model.bytes());
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("could not write Kiln model file " + file + " on executor " + where()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Spark's directory for files shipped to this executor; the JVM's temporary directory outside a task. */
    private static Path filesDirectory() {
        if (TaskContext.get() != null) {
            return Path.of(SparkFiles.getRootDirectory(), "kiln-models");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "kiln-spark-models");
    }

    private static String where() {
        try {
            return InetAddress.getLocalHost().getHostName() + " (pid " + ProcessHandle.current().pid() + ")";
        } catch (IOException e) {
            return "pid " + ProcessHandle.current().pid();
        }
    }
}
