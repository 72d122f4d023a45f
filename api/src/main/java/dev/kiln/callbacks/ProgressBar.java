package dev.kiln.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders one epoch's progress the way Keras 3 does, to a {@link PrintStream}, with times passed in
 * (so tests can fix them).
 *
 * <p>On a terminal ({@code dynamic}) the bar is redrawn in place with a carriage return:
 * {@code 211/422 ━━━━━━━━━━━━━━━━━━━━ 1s 4ms/step - accuracy: 0.8812 - loss: 0.3301}, the time being
 * the estimated time left while the epoch runs and the time taken once it ends. Otherwise nothing is
 * drawn while the epoch runs and its end is one line:
 * {@code Epoch 3/10 - 422/422 - 2s - 4ms/step - accuracy: 0.8812 - loss: 0.3301}. Values appear in
 * key order, as Keras 3 lists them.
 */
final class ProgressBar {
    static final int WIDTH = 20;
    static final char BAR = '━';
    private static final String BOLD = "\u001b[1m";
    private static final String GREEN = "\u001b[32m";
    private static final String WHITE = "\u001b[37m";
    private static final String RESET = "\u001b[0m";

    private final PrintStream out;
    /** The epoch's steps; 0 while unknown (a generator's first epoch), when the bar counts without a total. */
    private final int target;
    private int seen;
    private final boolean dynamic;
    private final long startNanos;
    private long afterFirstStepNanos = -1;
    private int previousWidth;

    ProgressBar(PrintStream out, int target, boolean dynamic, long startNanos) {
        this.out = out;
        this.target = target;
        this.dynamic = dynamic;
        this.startNanos = startNanos;
    }

    /** Notes when the first step ended: later estimates leave that step out (it pays for warm-up). */
    void firstStepDone(long nowNanos) {
        afterFirstStepNanos = nowNanos;
    }

    /** Notes that {@code current} steps are done, drawn or not. */
    void counted(int current) {
        seen = current;
    }

    /** Steps counted so far: the total of an epoch whose length was unknown, once it ended. */
    int seen() {
        return seen;
    }

    /** Redraws the bar after {@code current} of the epoch's steps (terminal only). */
    void update(int current, Map<String, Double> values, long nowNanos) {
        seen = current;
        if (!dynamic) {
            return;
        }
        double perStep = secondsPerStep(current, nowNanos);
        String eta = target > 0 ? formatEta(perStep * (target - current))
                : String.format(Locale.ROOT, "%.0fs", (nowNanos - startNanos) / 1e9);
        draw(current, eta, perStep, values, false);
    }

    /** Ends the epoch: the full bar on a terminal, else the epoch's one line headed by {@code epochLabel}. */
    void finish(String epochLabel, Map<String, Double> values, long nowNanos) {
        int target = this.target > 0 ? this.target : seen;
        double perStep = secondsPerStep(target, nowNanos);
        String elapsed = String.format(Locale.ROOT, "%.0fs", (nowNanos - startNanos) / 1e9);
        if (dynamic) {
            seen = target;
            draw(target, elapsed, perStep, values, true);
        } else {
            String count = String.format(Locale.ROOT, "%" + digits(target) + "d/%d", target, target);
            out.println(epochLabel + " - " + count + " - " + elapsed + " -" + formatStepTime(perStep) + metrics(values));
            out.flush();
        }
    }

    private void draw(int current, String time, double perStep, Map<String, Double> values, boolean last) {
        int target = this.target > 0 || !last ? this.target : current;
        if (target <= 0) { // Keras' bar for a stream of unknown length: the count alone
            String info = " " + time + formatStepTime(perStep) + metrics(values);
            String line = "\r" + BOLD + current + "/Unknown" + RESET + " " + BOLD + time + RESET
                    + info.substring(1 + time.length());
            out.print(line);
            out.flush();
            previousWidth = line.length();
            return;
        }
        String count = String.format(Locale.ROOT, "%" + digits(target) + "d/%d", current, target);
        int done = (int) ((long) WIDTH * current / target);
        String info = " " + time + formatStepTime(perStep) + metrics(values);
        int width = count.length() + 1 + WIDTH + info.length();
        StringBuilder sb = new StringBuilder(width + 64);
        sb.append('\r').append(BOLD).append(count).append(RESET).append(' ');
        if (done > 0) {
            sb.append(GREEN).append(String.valueOf(BAR).repeat(done)).append(RESET);
        }
        sb.append(WHITE).append(String.valueOf(BAR).repeat(WIDTH - done)).append(RESET);
        sb.append(' ').append(BOLD).append(time).append(RESET).append(info.substring(1 + time.length()));
        if (previousWidth > width) {
            sb.append(" ".repeat(previousWidth - width));
        }
        if (last) {
            sb.append(System.lineSeparator());
        }
        out.print(sb);
        out.flush();
        previousWidth = width;
    }

    /** Keras' estimate: after the first step, the mean over the steps that followed it. */
    private double secondsPerStep(int current, long nowNanos) {
        if (current <= 0) {
            return 0;
        }
        if (afterFirstStepNanos >= 0 && current > 1) {
            return (nowNanos - afterFirstStepNanos) / 1e9 / (current - 1);
        }
        return (nowNanos - startNanos) / 1e9 / current;
    }

    private static int digits(int n) {
        return Integer.toString(Math.max(n, 1)).length();
    }

    /** {@code " - key: value"} for every entry, in key order. */
    static String metrics(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : new TreeMap<>(values).entrySet()) {
            sb.append(" - ").append(e.getKey()).append(": ").append(formatValue(e.getValue()));
        }
        return sb.toString();
    }

    /** Four decimals, or scientific notation for magnitudes up to 1e-3, as Keras prints them. */
    static String formatValue(Double value) {
        if (value == null) {
            return "nan";
        }
        double v = value;
        return Math.abs(v) > 1e-3 ? String.format(Locale.ROOT, "%.4f", v) : String.format(Locale.ROOT, "%.4e", v);
    }

    /** {@code " 4ms/step"}: whole seconds, milliseconds or microseconds per step. */
    static String formatStepTime(double seconds) {
        if (seconds >= 1 || seconds == 0) {
            return String.format(Locale.ROOT, " %.0fs/step", seconds);
        }
        if (seconds >= 1e-3) {
            return String.format(Locale.ROOT, " %.0fms/step", seconds * 1e3);
        }
        return String.format(Locale.ROOT, " %.0fus/step", seconds * 1e6);
    }

    /** {@code 42s}, {@code 3:07} or {@code 1:02:03}. */
    static String formatEta(double seconds) {
        long s = (long) seconds;
        if (seconds > 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
        }
        if (seconds > 60) {
            return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
        return s + "s";
    }
}
