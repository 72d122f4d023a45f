package dev.kiln.callbacks;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The progress output of {@code fit}, as Keras' {@code ProgbarLogger}; {@code fit} adds one by
 * itself unless {@code verbose(0)} or one is among the callbacks.
 *
 * <ul>
 *   <li>verbose 1 on a terminal: an {@code Epoch 3/10} line, then a bar redrawn in place at most every
 *       50 ms, {@code 211/422 ━━━━━━━━━━━━━━━━━━━━ 1s 4ms/step - accuracy: 0.8812 - loss: 0.3301}, with
 *       the estimated time left, ending with the time the epoch took and every value of its logs;</li>
 *   <li>verbose 1 when standard output is not a terminal (a file, a pipe, CI logs), and verbose 2:
 *       one line per epoch,
 *       {@code Epoch 3/10 - 422/422 - 2s - 4ms/step - accuracy: 0.8812 - loss: 0.3301 - val_accuracy: 0.8610 - val_loss: 0.3790};</li>
 *   <li>verbose 0: nothing.</li>
 * </ul>
 *
 * <p>Whether standard output is a terminal comes from {@code System.console().isTerminal()}; the
 * system property {@code kiln.progress} set to {@code bar} or {@code lines} overrides it.
 *
 * <pre>{@code
 * // progress to a file, one line per epoch
 * model.fit(x, y, epochs(5), callbacks(new ProgbarLogger(new PrintStream("train.log"), false)));
 * }</pre>
 */
public final class ProgbarLogger implements Callback {
    /** Redraws closer together than this cost time and show nothing new. */
    static final long REDRAW_NANOS = 50_000_000L;

    private final PrintStream fixedOut;
    private final Boolean fixedTerminal;
    private final LongSupplier clock;
    private PrintStream out;
    private boolean dynamic;
    private FitParams params = new FitParams(1, 0, 1, 0);
    private ProgressBar bar;
    private long lastDraw;
    /** The steps of an epoch of unknown length, learned when the first one ended; 0 before. */
    private int learnedSteps;

    /** To standard output, as a terminal or not as the console says. */
    public ProgbarLogger() {
        this(null, null, System::nanoTime);
    }

    /** To {@code out}, drawing a live bar when {@code terminal} (and verbose is 1). */
    public ProgbarLogger(PrintStream out, boolean terminal) {
        this(out, terminal, System::nanoTime);
    }

    /** As above with the clock it reads nanoseconds from: for tests. */
    public ProgbarLogger(PrintStream out, boolean terminal, LongSupplier nanoClock) {
        this(out, (Boolean) terminal, nanoClock);
    }

    private ProgbarLogger(PrintStream out, Boolean terminal, LongSupplier clock) {
        this.fixedOut = out;
        this.fixedTerminal = terminal;
        this.clock = clock;
    }

    /** True when standard output is a terminal, or as the {@code kiln.progress} property says. */
    public static boolean standardOutputIsTerminal() {
        String forced = System.getProperty("kiln.progress", "");
        if (forced.equals("bar")) {
            return true;
        }
        if (forced.equals("lines")) {
            return false;
        }
        return System.console() != null && System.console().isTerminal();
    }

    @Override
    public void setParams(FitParams params) {
        this.params = params;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        out = fixedOut != null ? fixedOut : System.out;
        boolean terminal = fixedTerminal != null ? fixedTerminal : standardOutputIsTerminal();
        dynamic = terminal && params.verbose() == 1;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        if (params.verbose() == 0) {
            return;
        }
        long now = clock.getAsLong();
        bar = new ProgressBar(out, params.steps() > 0 ? params.steps() : learnedSteps, dynamic, now);
        lastDraw = 0;
        if (dynamic) {
            out.println(epochLabel(epoch));
        }
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        if (bar != null) {
            bar.counted(batch + 1);
        }
        if (!dynamic || bar == null) {
            return;
        }
        long now = clock.getAsLong();
        if (batch == 0) {
            bar.firstStepDone(now);
        } else if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        bar.update(batch + 1, logs, now);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (params.verbose() == 0 || bar == null) {
            return;
        }
        bar.finish(epochLabel(epoch), logs, clock.getAsLong());
        if (params.steps() <= 0 && learnedSteps == 0) {
            learnedSteps = bar.seen(); // as Keras: a stream's first epoch teaches the bar its length
        }
        bar = null;
    }

    private String epochLabel(int epoch) {
        return "Epoch " + (epoch + 1) + "/" + params.epochs();
    }
}
