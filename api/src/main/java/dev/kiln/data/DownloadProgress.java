package dev.kiln.data;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line of one download, e.g. {@code Downloading train-images-idx3-ubyte.gz 12.3/26.4 MB}.
 * On a terminal the line is redrawn in place a few times a second; elsewhere (a log, a pipe) it is
 * printed once when the download starts and once when it ends, so logs stay short.
 */
final class DownloadProgress {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final String name;
    private final long total;
    private long lastDrawn = Long.MIN_VALUE;

    DownloadProgress(PrintStream out, boolean terminal, String name, long total) {
        this.out = out;
        this.terminal = terminal;
        this.name = name;
        this.total = total;
    }

    void start(String url) {
        if (terminal) {
            draw(0);
        } else {
            out.println("Downloading " + name + " (" + megabytes(total) + " MB) from " + url);
        }
    }

    void update(long received) {
        long now = System.nanoTime();
        if (terminal && now - lastDrawn >= REDRAW_NANOS) {
            lastDrawn = now;
            draw(received);
        }
    }

    void finish(long received) {
        if (terminal) {
            draw(received);
            out.println();
        } else {
            out.println("Downloaded " + name + " " + line(received) + ", SHA-256 verified");
        }
    }

    /** Ends a line a failed download left half drawn, so the error starts on a line of its own. */
    void abandon() {
        if (terminal) {
            out.println();
        }
    }

    private void draw(long received) {
        out.print("\rDownloading " + name + " " + line(received));
        out.flush();
    }

    private String line(long received) {
        return megabytes(received) + "/" + megabytes(total) + " MB";
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }
}
