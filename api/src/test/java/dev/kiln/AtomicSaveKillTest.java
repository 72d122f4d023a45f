package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saves are atomic: a JVM that saves a model over and over is killed with SIGKILL at random moments,
 * and after every kill the file on disk still loads, whole, with one round's weights throughout.
 *
 * <p>A save writes a temporary file next to its target and renames it; so a temporary file left after a
 * kill shows that the kill landed during a save, and the test requires at least one such kill, or it
 * would prove nothing (half the kills wait for a temporary file to appear first; the others land at
 * random, between saves too). There is never more than that one: every completed save removed its own.
 */
class AtomicSaveKillTest {
    private static final int KILLS = 6;

    @TempDir
    Path dir;

    @Test
    void aKilledSaveLeavesTheLastCompleteFile() throws Exception {
        Path model = dir.resolve("model.kiln");
        Path weights = dir.resolve("weights.safetensors");
        Random random = new Random(5);
        int round = 0;
        int killsDuringASave = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            int first = round * 1000 + 1;
            Process p = start(model, weights, first);
            AtomicInteger lastSeen = new AtomicInteger(-1);
            CountDownLatch started = new CountDownLatch(1);
            Thread reader = Thread.ofVirtual().start(() -> readRounds(p, lastSeen, started));
            // Wait for at least one complete save of this process, then let it run on a random while.
            assertTrue(started.await(60, TimeUnit.SECONDS), "the save loop did not start");
            Thread.sleep(random.nextInt(400));
            if (kill % 2 == 1) {
                awaitASaveUnderWay(); // so that some kills surely land in a save, not between two
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed process did not end");
            reader.join();
            List<Path> temporary = temporaryFiles();
            assertTrue(temporary.size() <= 1, "completed saves left temporary files behind: " + temporary);
            if (!temporary.isEmpty()) {
                killsDuringASave++;
                Files.delete(temporary.get(0)); // so that the next kill's evidence is its own
            }
            try (Model loaded = Model.load(model)) {
                float value = uniformValue(loaded.getWeights());
                // The output pipe closes with the kill, so the last rounds may go unseen: the file holds
                // a round of this process at least as recent as the last one seen.
                assertTrue(value >= lastSeen.get() && value < first + 1000,
                        "file holds round " + value + ", last seen " + lastSeen.get());
            }
            try (Model m = Sequential.of(Layers.Input(300), Layers.Dense(1000), Layers.Dense(10))
                    .compile("adam", "mse")) {
                m.loadWeights(weights);
                uniformValue(m.getWeights());
            }
            round++;
        }
        System.out.printf("atomic save: %d SIGKILLs of a saving JVM, %d of them during a save; the file loaded"
                + " whole after every one%n", KILLS, killsDuringASave);
        assertEquals(KILLS, round);
        assertTrue(killsDuringASave > 0, "no kill landed during a save, so atomicity was not put to the test");
    }

    /** Returns once a temporary file shows that a save is being written. */
    private void awaitASaveUnderWay() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (temporaryFiles().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no save was under way for 30 s");
            Thread.sleep(0, 200_000);
        }
    }

    /** The saves' temporary files, {@code .<name>.<random>.tmp} beside their targets (see AtomicFiles). */
    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static void readRounds(Process p, AtomicInteger lastSeen, CountDownLatch started) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("saved ")) {
                    lastSeen.set(Integer.parseInt(line.substring("saved ".length()).trim()));
                    started.countDown();
                }
            }
        } catch (IOException e) {
            // The kill closed the pipe: the rounds seen so far are what there is.
        }
    }

    /** Every weight of a file saved by SaveLoop holds the round number; a mix would mean a torn write. */
    private static float uniformValue(List<float[]> weights) {
        float v = weights.get(0)[0];
        for (float[] w : weights) {
            for (float x : w) {
                if (x != v) {
                    throw new AssertionError("a file mixes rounds " + v + " and " + x);
                }
            }
        }
        return v;
    }

    private static Process start(Path model, Path weights, int firstRound) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), SaveLoop.class.getName(),
                model.toString(), weights.toString(), Integer.toString(firstRound))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
