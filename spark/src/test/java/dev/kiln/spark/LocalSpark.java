package dev.kiln.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The test's Spark: local[2] with up to 4 attempts per task (so a task that fails once is retried, as on a
 * cluster), one session per JVM shared by the test classes, UI off. A JVM holds one SparkContext at a time,
 * so the standalone cluster test stops this one first ({@link #stop}); the next {@link #get} starts it again.
 */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder()
                    .master("local[2,4]")
                    .appName("kiln-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }

    static synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }
}
