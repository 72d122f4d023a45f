package dev.kiln.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on loopback for the tests: a Master and {@code workers} Worker JVMs (1 core,
 * 1 GB each), started from this test JVM's class path with the module's JVM flags. The Workers launch
 * executor JVMs themselves; Spark's launcher insists on a {@code SPARK_HOME} holding a {@code jars}
 * directory, so that is an empty temporary one, and the executors get the test class path through
 * {@code spark.executor.extraClassPath} (see {@link #sparkConf}). {@link #close} ends every JVM it started,
 * executors included, also when a test failed.
 */
final class LoopbackCluster implements AutoCloseable {
    private final Path home;
    private final String classPath = System.getProperty("java.class.path");
    private final String flags = System.getProperty("kiln.spark.jvm.flags", "");
    private final List<Process> processes = new ArrayList<>();
    private final int port;

    LoopbackCluster(Path home, int workers) throws IOException, InterruptedException {
        if (flags.isBlank()) {
            throw new IllegalStateException("system property kiln.spark.jvm.flags is not set (spark/pom.xml's"
                    + " surefire configuration passes it)");
        }
        this.home = home;
        Files.createDirectories(home.resolve("jars"));
        // The daemons log at INFO (the test class path's log4j2.properties says WARN): startup waits for
        // their "elected leader" and "registered" lines.
        Files.writeString(home.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = info", "rootLogger.appenderRef.out.ref = out", "appender.out.type = Console",
                "appender.out.name = out", "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n", ""));
        port = freePort();
        try {
            start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    String.valueOf(port), "--webui-port", String.valueOf(freePort()));
            awaitLine("master", "I have been elected leader", Duration.ofSeconds(60));
            for (int i = 0; i < workers; i++) {
                String name = "worker-" + i;
                start(name, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                        "--memory", "1g", "--webui-port", String.valueOf(freePort()), "--work-dir",
                        home.resolve(name).toString(), masterUrl());
                awaitLine(name, "Successfully registered with master", Duration.ofSeconds(60));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** What a driver in this JVM needs: executors of 1 core and 1 GB, with the test class path and flags. */
    Map<String, String> sparkConf() {
        return Map.of(
                "spark.executor.extraClassPath", classPath,
                "spark.executor.extraJavaOptions", flags,
                "spark.executor.cores", "1",
                "spark.executor.memory", "1g",
                "spark.cores.max", "2",
                "spark.driver.host", "127.0.0.1",
                "spark.driver.bindAddress", "127.0.0.1",
                "spark.ui.enabled", "false");
    }

    /** The log of one of the cluster's JVMs ("master", "worker-0", ...), for failure messages. */
    String log(String name) {
        try {
            return Files.readString(home.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void start(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(flags.trim().split("\\s+")));
        command.addAll(List.of("-Xmx256m", "-Dlog4j2.configurationFile=" + home.resolve("log4j2.properties"),
                "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("JAVA_HOME", System.getProperty("java.home")); // the executors' java
        env.remove("SPARK_CONF_DIR");
        processes.add(builder.start());
    }

    private void awaitLine(String name, String text, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        Process p = processes.get(processes.size() - 1);
        while (System.nanoTime() < end) {
            if (log(name).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + ":\n" + log(name));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not log '" + text + "' within " + limit + ":\n" + log(name));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Ends the Workers' executor JVMs, then the Workers and the Master; waits for each (bounded). */
    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(15), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
