package dev.kiln.data;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Closes a download's stream when no bytes arrive for a while. Java's HttpClient times out waiting for
 * response headers but not for a body that stops mid-way, which would otherwise hang the caller forever.
 */
final class StallGuard implements AutoCloseable {
    private final InputStream stream;
    private final long timeoutNanos;
    private final Thread watcher;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;
    private volatile boolean done;

    StallGuard(InputStream stream, Duration timeout) {
        this.stream = stream;
        this.timeoutNanos = timeout.toNanos();
        this.watcher = Thread.ofVirtual().name("kiln-download-stall-guard").start(this::watch);
    }

    void progressed() {
        lastProgress = System.nanoTime();
    }

    boolean stalled() {
        return stalled;
    }

    private void watch() {
        long checkMillis = Math.max(10, timeoutNanos / 10_000_000);
        while (!done) {
            try {
                Thread.sleep(checkMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (!done && System.nanoTime() - lastProgress > timeoutNanos) {
                stalled = true;
                try {
                    stream.close(); // wakes the reader, which then sees stalled()
                } catch (IOException ignored) {
                    // closing a stalled stream has no failure worth reporting over the stall itself
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        done = true;
        watcher.interrupt();
    }
}
