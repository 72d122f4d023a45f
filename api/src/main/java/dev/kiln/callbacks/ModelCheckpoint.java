package dev.kiln.callbacks;

import dev.kiln.Model;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves the model (or its weights) as training goes, as Keras' {@code ModelCheckpoint} does, with its
 * defaults: monitor {@code val_loss}, mode {@code auto}, every epoch, the whole model, every time.
 *
 * <p>The file name may hold placeholders filled in at each save: {@code {epoch}} (counted from 1, as
 * printed), {@code {batch}}, and any log value such as {@code {val_loss}}, each with an optional
 * Python-style format ({@code {epoch:02d}}, {@code {val_loss:.2f}}). The whole model goes to a
 * {@code .kiln} file ({@link Model#save}), from which {@link Model#load} resumes training exactly, or to
 * Keras' {@code .keras}; with {@link #saveWeightsOnly(boolean) saveWeightsOnly(true)} the weights go to
 * a {@code .safetensors} or Keras {@code .weights.h5} file ({@link Model#saveWeights}). Every save is
 * atomic.
 *
 * <p>With {@link #saveBestOnly(boolean) saveBestOnly(true)} a save happens only when the monitored
 * value improves on the best so far: lower in mode {@code min}, higher in mode {@code max}; mode
 * {@code auto} picks max for accuracy-like names (containing {@code acc}, {@code auc},
 * {@code precision}, {@code recall}, or starting with {@code fmeasure}) and min otherwise. When the
 * value is missing from the logs, the save is skipped with a warning.
 *
 * <pre>{@code
 * var best = new ModelCheckpoint("ckpt/best.kiln").saveBestOnly(true);
 * var every = new ModelCheckpoint("ckpt/weights-{epoch:02d}-{val_loss:.3f}.safetensors").saveWeightsOnly(true);
 * model.fit(x, y, epochs(20), validationSplit(0.1), callbacks(best, every));
 * Model resumed = Model.load(Path.of("ckpt/best.kiln"));
 * }</pre>
 */
public final class ModelCheckpoint implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCheckpoint.class);

    private final FilepathTemplate filepath;
    private String monitor = "val_loss";
    private String mode = "auto";
    private boolean saveBestOnly;
    private boolean saveWeightsOnly;
    private int saveFreq; // 0: every epoch; n > 0: every n batches
    private int verbose;
    private double initialValueThreshold = Double.NaN;

    private Model model;
    private double best;
    private boolean bestInitialized;
    private int currentEpoch;
    private int batchesSinceSave;
    private String lastSaved;

    /** A checkpoint writing to {@code filepath} (with placeholders) at the end of every epoch. */
    public ModelCheckpoint(String filepath) {
        if (filepath == null || filepath.isBlank()) {
            throw new IllegalArgumentException("ModelCheckpoint needs a file path, got " + (filepath == null
                    ? "null" : "'" + filepath + "'"));
        }
        this.filepath = new FilepathTemplate(filepath);
    }

    public ModelCheckpoint(Path filepath) {
        this(filepath == null ? null : filepath.toString());
    }

    /** The log value that decides the best model; {@code val_loss} by default. */
    public ModelCheckpoint monitor(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("monitor needs a log name such as 'val_loss', got " + name);
        }
        this.monitor = name;
        return this;
    }

    /** {@code auto} (the default), {@code min} or {@code max}. */
    public ModelCheckpoint mode(String mode) {
        if (!"auto".equals(mode) && !"min".equals(mode) && !"max".equals(mode)) {
            throw new IllegalArgumentException("mode must be 'auto', 'min' or 'max', got '" + mode + "'");
        }
        this.mode = mode;
        return this;
    }

    /** Save only when the monitored value improves; false (every save) by default. */
    public ModelCheckpoint saveBestOnly(boolean value) {
        this.saveBestOnly = value;
        return this;
    }

    /**
     * Save the weights alone (a .safetensors or .weights.h5 file) rather than the model (a .kiln or .keras
     * file); false by default.
     */
    public ModelCheckpoint saveWeightsOnly(boolean value) {
        this.saveWeightsOnly = value;
        return this;
    }

    /** Save every {@code batches} training batches instead of at the end of every epoch (Keras' integer save_freq). */
    public ModelCheckpoint saveFreq(int batches) {
        if (batches <= 0) {
            throw new IllegalArgumentException("saveFreq must be a positive number of batches, got " + batches);
        }
        this.saveFreq = batches;
        return this;
    }

    /** Keras' default, {@code save_freq="epoch"}. */
    public ModelCheckpoint saveFreqEpoch() {
        this.saveFreq = 0;
        return this;
    }

    /** 1 prints a line at each save or non-improvement, as Keras does; 0 (the default) is silent. */
    public ModelCheckpoint verbose(int level) {
        if (level != 0 && level != 1) {
            throw new IllegalArgumentException("verbose must be 0 or 1, got " + level);
        }
        this.verbose = level;
        return this;
    }

    /** The value the first save must beat when saving only the best (none by default). */
    public ModelCheckpoint initialValueThreshold(double value) {
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException("initialValueThreshold must be a number, got NaN");
        }
        this.initialValueThreshold = value;
        return this;
    }

    /** The path of the last file written, or null before the first save. */
    public Path lastSaved() {
        return lastSaved == null ? null : Path.of(lastSaved);
    }

    /** Whether a higher monitored value is better, as the mode says. */
    public boolean maximizes() {
        return switch (mode) {
            case "max" -> true;
            case "min" -> false;
            default -> {
                String m = monitor.toLowerCase(Locale.ROOT);
                yield m.contains("acc") || m.contains("auc") || m.contains("precision") || m.contains("recall")
                        || m.startsWith("fmeasure");
            }
        };
    }

    // ---- hooks ----------------------------------------------------------------------------------

    @Override
    public void setModel(Model model) {
        this.model = model;
        checkSuffix(filepath.toString());
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        if (!bestInitialized) {
            best = !Double.isNaN(initialValueThreshold) ? initialValueThreshold
                    : maximizes() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            bestInitialized = true;
        }
        batchesSinceSave = 0;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        currentEpoch = epoch;
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        if (saveFreq > 0 && ++batchesSinceSave >= saveFreq) {
            batchesSinceSave = 0;
            save(currentEpoch, batch, logs);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        currentEpoch = epoch;
        if (saveFreq == 0) {
            save(epoch, -1, logs);
        }
    }

    // ---- saving ---------------------------------------------------------------------------------

    private void save(int epoch, int batch, Map<String, Double> logs) {
        if (model == null) {
            throw new IllegalStateException("ModelCheckpoint has no model: fit gives it one through setModel");
        }
        if (!bestInitialized) {
            onTrainBegin(Map.of());
        }
        Map<String, Number> values = new LinkedHashMap<>();
        if (logs != null) {
            values.putAll(logs);
        }
        values.put("epoch", epoch + 1);
        if (batch >= 0) {
            values.put("batch", batch);
        }
        String path = filepath.format(values);
        checkSuffix(path);
        if (saveBestOnly) {
            Double current = logs == null ? null : logs.get(monitor);
            if (current == null) {
                LOG.warn("Can save best model only with {} available, skipping (logs have {})", monitor,
                        logs == null ? "[]" : logs.keySet());
                return;
            }
            boolean improved = maximizes() ? current > best : current < best;
            if (!improved) {
                if (verbose > 0) {
                    System.out.printf(Locale.ROOT, "%nEpoch %d: %s did not improve from %.5f%n", epoch + 1, monitor, best);
                }
                return;
            }
            if (verbose > 0) {
                System.out.printf(Locale.ROOT, "%nEpoch %d: %s improved from %.5f to %.5f, saving model to %s%n",
                        epoch + 1, monitor, best, current, path);
            }
            best = current;
        } else if (verbose > 0) {
            System.out.printf(Locale.ROOT, "%nEpoch %d: saving model to %s%n", epoch + 1, path);
        }
        try {
            if (saveWeightsOnly) {
                model.saveWeights(Path.of(path));
            } else {
                model.save(Path.of(path));
            }
        } catch (UncheckedIOException e) {
            // Said as the checkpoint's failure, with the file's own IOException still the cause.
            throw new UncheckedIOException("ModelCheckpoint could not write " + path + ": " + e.getMessage(),
                    e.getCause());
        }
        lastSaved = path;
    }

    private void checkSuffix(String path) {
        List<String> want = saveWeightsOnly ? List.of(".safetensors", ".weights.h5") : List.of(".kiln", ".keras");
        if (want.stream().noneMatch(path::endsWith)) {
            throw new IllegalArgumentException("ModelCheckpoint with saveWeightsOnly=" + saveWeightsOnly
                    + " writes " + (saveWeightsOnly ? "weights" : "the whole model") + ", so the file path must end in "
                    + want.get(0) + " (Kiln's format) or " + want.get(1) + " (Keras'), got '" + path + "'");
        }
    }

    @Override
    public String toString() {
        return "ModelCheckpoint(" + filepath + ", monitor=" + monitor + ", mode=" + mode + ", saveBestOnly="
                + saveBestOnly + ", saveWeightsOnly=" + saveWeightsOnly + ")";
    }
}
