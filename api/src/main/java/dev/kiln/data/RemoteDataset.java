package dev.kiln.data;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where a data set's files are published (mirrors tried in order) and what they must be (size and
 * SHA-256). {@code Datasets.fashionMnist()} and {@code Datasets.mnist()} download from these when no
 * local copy exists.
 *
 * <pre>{@code
 * // Fetch MNIST ahead of time, e.g. while building a container image:
 * DatasetDownloader.standard().download(RemoteDataset.MNIST, Path.of(System.getProperty("user.home"),
 *         ".kiln", "datasets", RemoteDataset.MNIST.name()));
 * // Or from a mirror of your own that serves the same files:
 * RemoteDataset mine = RemoteDataset.MNIST.withMirrors(URI.create("https://data.example.com/mnist/"));
 * }</pre>
 *
 * @param name    the directory name under {@code ~/.kiln/datasets}
 * @param title   the name people know it by, for messages
 * @param mirrors base URLs ending in '/', each serving every file by its name
 * @param files   the files, each with its size and digest
 */
public record RemoteDataset(String name, String title, List<URI> mirrors, List<RemoteFile> files) {
    /**
     * Fashion-MNIST as Zalando Research publishes it (github.com/zalandoresearch/fashion-mnist), from its
     * S3 site and, failing that, the repository itself. The digests are the SHA-256 of those original
     * files (not of Debian's re-compressed copies, which hold the same images under a different gzip
     * header).
     */
    public static final RemoteDataset FASHION_MNIST = new RemoteDataset("fashion-mnist", "Fashion-MNIST",
            List.of(URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
                    URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")),
            List.of(new RemoteFile("train-images-idx3-ubyte.gz", 26_421_880,
                            "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"),
                    new RemoteFile("train-labels-idx1-ubyte.gz", 29_515,
                            "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"),
                    new RemoteFile("t10k-images-idx3-ubyte.gz", 4_422_102,
                            "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"),
                    new RemoteFile("t10k-labels-idx1-ubyte.gz", 5_148,
                            "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf")));

    /**
     * MNIST in its original IDX files, from the mirror PyTorch's torchvision uses and, failing that, the
     * one TensorFlow Datasets uses; both serve the same bytes.
     */
    public static final RemoteDataset MNIST = new RemoteDataset("mnist", "MNIST",
            List.of(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                    URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/")),
            List.of(new RemoteFile("train-images-idx3-ubyte.gz", 9_912_422,
                            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                    new RemoteFile("train-labels-idx1-ubyte.gz", 28_881,
                            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                    new RemoteFile("t10k-images-idx3-ubyte.gz", 1_648_877,
                            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                    new RemoteFile("t10k-labels-idx1-ubyte.gz", 4_542,
                            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")));

    public RemoteDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(title, "title");
        mirrors = List.copyOf(mirrors);
        files = List.copyOf(files);
        if (mirrors.isEmpty() || files.isEmpty()) {
            throw new IllegalArgumentException(title + " needs at least one mirror and one file");
        }
        for (URI mirror : mirrors) {
            if (!mirror.toString().endsWith("/") || !List.of("http", "https").contains(mirror.getScheme())) {
                throw new IllegalArgumentException("mirror must be an http(s) URL ending in '/', got " + mirror);
            }
        }
    }

    /** The same files from other base URLs, tried in the order given. */
    public RemoteDataset withMirrors(URI... mirrors) {
        return new RemoteDataset(name, title, Arrays.asList(mirrors), files);
    }

    /** Where {@code file} lies on {@code mirror}. */
    static URI urlOf(URI mirror, RemoteFile file) {
        return mirror.resolve(file.name());
    }
}
