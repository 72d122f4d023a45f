package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saves are atomic: a JVM that saves a model over and over is killed with SIGKILL at random moments,
 * and after every kill the file on disk still loads, whole, with one round's weights throughout.
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
        for (int kill = 0; kill < KILLS; kill++) {
            int first = round * 1000 + 1;
            Process p = start(model, weights, first);
            AtomicInteger lastSeen = new AtomicInteger(-1);
            CountDownLatch started = new CountDownLatch(1);
            Thread reader = Thread.ofVirtual().start(() -> readRounds(p, lastSeen, started));
            // Wait for at least one complete save of this process, then let it run on a random while.
            assertTrue(started.await(60, TimeUnit.SECONDS), "the save loop did not start");
            Thread.sleep(random.nextInt(400));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed process did not end");
            reader.join();
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
        System.out.printf("atomic save: %d SIGKILLs of a saving JVM, the file loaded whole after every one%n", KILLS);
        assertEquals(KILLS, round);
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
