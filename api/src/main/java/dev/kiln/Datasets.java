package dev.kiln;

import dev.kiln.core.memory.Shape;
import dev.kiln.core.memory.Tensor;
import dev.kiln.data.CsvOption;
import dev.kiln.data.CsvReader;
import dev.kiln.data.DatasetDownloader;
import dev.kiln.data.DownloadException;
import dev.kiln.data.IdxReader;
import dev.kiln.data.LabeledImages;
import dev.kiln.data.RemoteDataset;
import dev.kiln.data.TabularData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready-to-train data sets, like {@code keras.datasets}. The files are looked for on disk first (where
 * the Debian package {@code dataset-fashion-mnist}, a copy or an earlier download put them); when no
 * local copy exists they are downloaded, as Keras does, into {@code ~/.kiln/datasets/<name>} with each
 * file's SHA-256 verified (see {@link RemoteDataset}). Tabular data comes from CSV files ({@link #csv}).
 *
 * <pre>{@code
 * var data = Datasets.fashionMnist();
 * float[][] x = data.xTrain();   // 60000 rows of 784 pixels in [0, 1]
 * int[] y = data.yTrain();       // 60000 labels in 0..9
 * model.fit(x, y, epochs(5), batchSize(128));
 * }</pre>
 *
 * <p>{@link #fashionMnist()} looks, in this order, in {@code $KILN_DATA} (the four files directly, or a
 * {@code fashion-mnist/} directory inside it), in {@code ~/.kiln/datasets/fashion-mnist} and in
 * {@code /usr/share/datasets/fashion-mnist}, and downloads into {@code ~/.kiln/datasets/fashion-mnist}
 * when none holds the four files. {@link #mnist()} does the same with {@code mnist} directories
 * ({@code $KILN_DATA/mnist}, {@code ~/.kiln/datasets/mnist}, {@code /usr/share/datasets/mnist}).
 */
public final class Datasets {
    static {
        Kiln.startWarmingUp(); // reading the files takes long enough for the kernels to compile meanwhile
    }

    private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

    static final String FASHION_MNIST = "fashion-mnist";
    static final Path SYSTEM_FASHION_MNIST = Path.of("/usr/share/datasets", FASHION_MNIST);
    static final int FASHION_MNIST_CLASSES = 10;
    static final String MNIST = "mnist";
    static final Path SYSTEM_MNIST = Path.of("/usr/share/datasets", MNIST);

    /** The four files, each accepted gzip-compressed (as shipped) or already unpacked. */
    static final List<String> FASHION_MNIST_FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private Datasets() {
    }

    /**
     * A data set split into training and test parts, as {@code keras.datasets.*.load_data()} returns
     * it. Images are flattened rows of floats in [0, 1]; labels are class indices.
     *
     * <pre>{@code
     * Datasets.Split data = Datasets.fashionMnist();
     * model.evaluate(data.xTest(), data.yTest());
     * }</pre>
     */
    public record Split(float[][] xTrain, int[] yTrain, float[][] xTest, int[] yTest) {
        public Split {
            Objects.requireNonNull(xTrain, "xTrain");
            Objects.requireNonNull(yTrain, "yTrain");
            Objects.requireNonNull(xTest, "xTest");
            Objects.requireNonNull(yTest, "yTest");
            if (xTrain.length != yTrain.length || xTest.length != yTest.length) {
                throw new IllegalArgumentException("rows and labels must pair up: xTrain " + xTrain.length
                        + ", yTrain " + yTrain.length + ", xTest " + xTest.length + ", yTest " + yTest.length);
            }
        }

        /**
         * The same examples as images of shape [height, width, channels], channels last, for convolutional
         * models (what Keras users get with {@code np.expand_dims(x, -1)}): the rows are copied once into
         * off-heap tensors of shape (N, height, width, channels).
         *
         * <pre>{@code
         * Datasets.ImageSplit images = Datasets.fashionMnist().asImages(28, 28, 1);
         * images.xTrain().shape();   // [60000, 28, 28, 1]
         * }</pre>
         *
         * @throws IllegalArgumentException when a row does not hold height·width·channels values
         */
        public ImageSplit asImages(int height, int width, int channels) {
            Shape image = Shape.of(height, width, channels);
            return new ImageSplit(images(xTrain, image, "xTrain"), yTrain, images(xTest, image, "xTest"), yTest);
        }

        private static Tensor images(float[][] rows, Shape image, String name) {
            if (rows.length == 0) {
                throw new IllegalArgumentException(name + " has no examples to shape as images " + image);
            }
            if (rows[0].length != image.size()) {
                throw new IllegalArgumentException(name + " rows hold " + rows[0].length + " values but images of shape "
                        + image + " hold " + image.size());
            }
            Tensor flat = Tensor.of(rows);
            int[] shape = new int[image.rank() + 1];
            shape[0] = rows.length;
            System.arraycopy(image.dims(), 0, shape, 1, image.rank());
            return Tensor.wrap(flat.segment(), shape);
        }
    }

    /** A data set whose examples are images: tensors of shape (N, height, width, channels) and class labels. */
    public record ImageSplit(Tensor xTrain, int[] yTrain, Tensor xTest, int[] yTest) {
        public ImageSplit {
            Objects.requireNonNull(xTrain, "xTrain");
            Objects.requireNonNull(yTrain, "yTrain");
            Objects.requireNonNull(xTest, "xTest");
            Objects.requireNonNull(yTest, "yTest");
            if (xTrain.shape()[0] != yTrain.length || xTest.shape()[0] != yTest.length) {
                throw new IllegalArgumentException("images and labels must pair up: xTrain " + xTrain.shape()[0]
                        + ", yTrain " + yTrain.length + ", xTest " + xTest.shape()[0] + ", yTest " + yTest.length);
            }
        }
    }

    /**
     * Fashion-MNIST: 60000 training and 10000 test images of 28×28 clothing items in 10 classes, each
     * image flattened to 784 floats in [0, 1]; {@code fashionMnist().asImages(28, 28, 1)} gives them as
     * images for a convolutional model.
     *
     * @throws UncheckedIOException if no searched directory holds all four files and downloading them
     *         failed (the message names every directory searched, the URL and the cause, and how to
     *         install the data by hand; the cause is a {@link DownloadException}), or if the files are
     *         there but cannot be read or are malformed
     */
    public static Split fashionMnist() {
        String home = System.getProperty("user.home");
        return fashionMnist(locateOrDownload(RemoteDataset.FASHION_MNIST,
                candidates(System.getenv("KILN_DATA"), home), downloadDirectory(home, FASHION_MNIST),
                downloaderUnlessOffline()));
    }

    /**
     * MNIST: 60000 training and 10000 test images of 28×28 handwritten digits, each image flattened to 784
     * floats in [0, 1], labels 0..9. Downloaded on first use (about 12 MB) into {@code ~/.kiln/datasets/mnist}.
     *
     * <pre>{@code
     * Datasets.Split digits = Datasets.mnist();
     * }</pre>
     *
     * @throws UncheckedIOException as {@link #fashionMnist()} does
     */
    public static Split mnist() {
        String home = System.getProperty("user.home");
        return mnist(locateOrDownload(RemoteDataset.MNIST, mnistCandidates(System.getenv("KILN_DATA"), home),
                downloadDirectory(home, MNIST), downloaderUnlessOffline()));
    }

    /** MNIST from an explicit directory holding the four files. */
    public static Split mnist(Path directory) {
        return readSplit(RemoteDataset.MNIST.title(), directory);
    }

    /** Fashion-MNIST from an explicit directory holding the four files. */
    public static Split fashionMnist(Path directory) {
        return readSplit(RemoteDataset.FASHION_MNIST.title(), directory);
    }

    /** Either MNIST-format data set: the four IDX files of a directory as a training and a test split. */
    private static Split readSplit(String title, Path directory) {
        Objects.requireNonNull(directory, "directory");
        List<String> missing = missingFiles(directory);
        if (!missing.isEmpty()) {
            throw new IllegalStateException(title + " directory " + directory + " lacks " + missing);
        }
        LOG.debug("Loading {} from {}", title, directory);
        try {
            LabeledImages train = IdxReader.readLabeled(file(directory, FASHION_MNIST_FILES.get(0)).orElseThrow(),
                    file(directory, FASHION_MNIST_FILES.get(1)).orElseThrow(), FASHION_MNIST_CLASSES);
            LabeledImages test = IdxReader.readLabeled(file(directory, FASHION_MNIST_FILES.get(2)).orElseThrow(),
                    file(directory, FASHION_MNIST_FILES.get(3)).orElseThrow(), FASHION_MNIST_CLASSES);
            return new Split(train.images(), train.labels(), test.images(), test.labels());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + title + " from " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tabular data from a CSV file: one row per example, the label in one column (by default the last),
     * every other column a numeric feature. Labels become class indices or regression targets as
     * {@link TabularData} explains.
     *
     * <pre>{@code
     * import static dev.kiln.data.CsvOption.*;
     * TabularData iris = Datasets.csv(Path.of("iris.csv"), labelColumn("species"));
     * model.fit(iris.x(), iris.y(), epochs(100), validationSplit(0.2));
     * }</pre>
     *
     * @throws UncheckedIOException if the file cannot be read or is malformed; the cause is a
     *         {@link dev.kiln.data.CsvFormatException} naming the line and column for a bad value, a ragged
     *         row, a missing label column or an empty file
     * @throws IllegalArgumentException for contradictory options (a label column by name without a header)
     */
    public static TabularData csv(Path file, CsvOption... options) {
        Objects.requireNonNull(file, "file");
        try {
            return CsvReader.read(file, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * The directories searched, in order. {@code kilnData} may hold the files itself or in a
     * {@code fashion-mnist/} sub-directory, so both are candidates; an unset or blank value adds none.
     */
    static List<Path> candidates(String kilnData, String userHome) {
        List<Path> dirs = new ArrayList<>();
        if (kilnData != null && !kilnData.isBlank()) {
            Path root = Path.of(kilnData);
            dirs.add(root);
            dirs.add(root.resolve(FASHION_MNIST));
        }
        if (userHome != null && !userHome.isBlank()) {
            dirs.add(Path.of(userHome, ".kiln", "datasets", FASHION_MNIST));
        }
        dirs.add(SYSTEM_FASHION_MNIST);
        return dirs;
    }

    /**
     * MNIST's directories: only ones named {@code mnist}, never {@code $KILN_DATA} itself, which may hold
     * Fashion-MNIST's identically named files.
     */
    static List<Path> mnistCandidates(String kilnData, String userHome) {
        List<Path> dirs = new ArrayList<>();
        if (kilnData != null && !kilnData.isBlank()) {
            dirs.add(Path.of(kilnData, MNIST));
        }
        if (userHome != null && !userHome.isBlank()) {
            dirs.add(downloadDirectory(userHome, MNIST));
        }
        dirs.add(SYSTEM_MNIST);
        return dirs;
    }

    /** {@code ~/.kiln/datasets/<name>}, where downloads go; null when there is no home directory. */
    static Path downloadDirectory(String userHome, String name) {
        return userHome == null || userHome.isBlank() ? null : Path.of(userHome, ".kiln", "datasets", name);
    }

    /**
     * Downloads are on unless {@code -Dkiln.offline=true} or {@code KILN_OFFLINE=1} (or {@code true}) says
     * otherwise: for air-gapped machines, and for Kiln's own test suite, which must never reach the internet.
     */
    static boolean offline(String property, String environment) {
        return "true".equalsIgnoreCase(property) || "1".equals(environment) || "true".equalsIgnoreCase(environment);
    }

    /** How the public loaders get a downloader: none (null) when offline, built only if a download happens. */
    private static Supplier<DatasetDownloader> downloaderUnlessOffline() {
        return offline(System.getProperty("kiln.offline"), System.getenv("KILN_OFFLINE")) ? null
                : DatasetDownloader::standard;
    }

    /**
     * The first candidate holding all four files; else the files downloaded into {@code downloadDirectory}
     * (unless {@code downloader} is null: offline).
     * When that fails too, the error says where it looked, what the download attempt met, and how to
     * install the files by hand.
     */
    static Path locateOrDownload(RemoteDataset dataset, List<Path> candidates, Path downloadDirectory,
            Supplier<DatasetDownloader> downloader) {
        for (Path dir : candidates) {
            if (missingFiles(dir).isEmpty()) {
                return dir;
            }
        }
        String looked = describeSearch(candidates);
        String byHand = "\nOr copy the four files (" + String.join(".gz, ", FASHION_MNIST_FILES) + ".gz) into "
                + "~/.kiln/datasets/" + dataset.name() + (dataset == RemoteDataset.FASHION_MNIST
                        ? ", set KILN_DATA to a directory holding them, or: sudo apt-get install dataset-fashion-mnist"
                        : ", or set KILN_DATA to a directory whose " + dataset.name() + "/ holds them.");
        if (downloader == null) {
            throw new IllegalStateException(dataset.title() + " not found, and downloads are turned off"
                    + " (kiln.offline / KILN_OFFLINE). Looked in:" + looked + byHand);
        }
        if (downloadDirectory == null) {
            throw new IllegalStateException(dataset.title() + " not found and there is no home directory to download"
                    + " it into. Looked in:" + looked + byHand);
        }
        LOG.info("{} not found locally; downloading it into {}", dataset.title(), downloadDirectory);
        try {
            Path dir = downloader.get().download(dataset, downloadDirectory);
            List<String> missing = missingFiles(dir);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("after downloading, " + dir + " still lacks " + missing);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(dataset.title() + " not found locally and the download failed. Looked in:"
                    + looked + "\nDownloading into " + downloadDirectory + " failed: " + e.getMessage() + byHand, e);
        }
    }

    private static String describeSearch(List<Path> candidates) {
        StringBuilder looked = new StringBuilder();
        for (Path dir : candidates) {
            List<String> missing = missingFiles(dir);
            looked.append("\n  ").append(dir).append(Files.isDirectory(dir) ? ": lacks " + missing : ": no such directory");
        }
        return looked.toString();
    }

    /** The first candidate holding all four files; otherwise an error that says where it looked. */
    static Path locate(List<Path> candidates) {
        StringBuilder looked = new StringBuilder();
        for (Path dir : candidates) {
            List<String> missing = missingFiles(dir);
            if (missing.isEmpty()) {
                return dir;
            }
            looked.append("\n  ").append(dir).append(Files.isDirectory(dir) ? ": lacks " + missing : ": no such directory");
        }
        throw new IllegalStateException("Fashion-MNIST not found. Looked in:" + looked
                + "\nInstall it with: sudo apt-get install dataset-fashion-mnist"
                + "\nor copy the four files (" + String.join(".gz, ", FASHION_MNIST_FILES) + ".gz) into "
                + "~/.kiln/datasets/fashion-mnist, or set KILN_DATA to a directory holding them.");
    }

    private static List<String> missingFiles(Path dir) {
        return FASHION_MNIST_FILES.stream().filter(name -> file(dir, name).isEmpty()).toList();
    }

    private static Optional<Path> file(Path dir, String name) {
        Path gzip = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gzip)) {
            return Optional.of(gzip);
        }
        Path plain = dir.resolve(name);
        return Files.isRegularFile(plain) ? Optional.of(plain) : Optional.empty();
    }
}
