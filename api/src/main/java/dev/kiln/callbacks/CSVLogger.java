package dev.kiln.callbacks;

import dev.kiln.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes one CSV row per epoch, as Keras' {@code CSVLogger}: a header {@code epoch,<keys in sorted
 * order>} from the first epoch's logs, then the 0-based epoch and its values ({@code NA} for a key
 * an epoch lacks). Defaults: separator {@code ","}, append false (overwrite); with append, rows
 * follow what the file holds, and the header is written only if the file is empty or new.
 *
 * <p>The file is rewritten whole after every epoch through a temporary file and an atomic rename, so
 * a crash never leaves half a row and the file can be read while training runs.
 *
 * <pre>{@code
 * model.fit(x, y, epochs(10), validationSplit(0.1), callbacks(new CSVLogger(Path.of("training.csv"))));
 * }</pre>
 */
public final class CSVLogger implements Callback {
    private final Path file;
    private final String separator;
    private final boolean append;
    private final StringBuilder content = new StringBuilder();
    private List<String> keys;
    private boolean writeHeader;

    public CSVLogger(Path file) {
        this(file, ",", false);
    }

    public CSVLogger(Path file, String separator, boolean append) {
        if (file == null) {
            throw new IllegalArgumentException("the CSV file path is null");
        }
        if (separator == null || separator.isEmpty() || separator.contains("\"") || separator.contains("\n")
                || separator.contains("\r")) {
            throw new IllegalArgumentException("separator must be a non-empty string without quotes or line breaks, got "
                    + (separator == null ? null : "'" + separator + "'"));
        }
        this.file = file;
        this.separator = separator;
        this.append = append;
    }

    public Path file() {
        return file;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        content.setLength(0);
        keys = null;
        writeHeader = true;
        if (append && Files.exists(file)) {
            try {
                String existing = Files.readString(file, StandardCharsets.UTF_8);
                content.append(existing);
                writeHeader = existing.isEmpty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " to append to it", e);
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(separator).get();
        try (CSVPrinter printer = new CSVPrinter(content, format)) {
            if (keys == null) {
                keys = List.copyOf(new TreeSet<>(logs.keySet()));
                if (writeHeader) {
                    List<String> header = new ArrayList<>();
                    header.add("epoch");
                    header.addAll(keys);
                    printer.printRecord(header);
                }
            }
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(epoch));
            for (String k : keys) {
                Double v = logs.get(k);
                row.add(v == null ? "NA" : Double.toString(v));
            }
            printer.printRecord(row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeAtomically();
    }

    private void writeAtomically() {
        try {
            AtomicFiles.write(file, out -> out.write(content.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
