package dev.kiln.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a part:
 * the bytes go to a temporary file in the same directory, are forced to disk, and the temporary file
 * is then renamed over the target in one atomic step. A crash (even SIGKILL or a power cut after the
 * rename) leaves the previous file whole; a stray {@code .<name>.*.tmp} may remain, never a half file.
 * Every file Kiln writes goes through here ({@code model.save}, {@code saveWeights}, {@code tensor.toNpy},
 * plots, {@code CSVLogger}), so all get the same permissions: those of the file replaced, or for a new
 * one what any new file gets from the user's umask (rw-r--r-- under the usual 022). Downloads keep
 * their own private partial file until its digest is verified.
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("model.kiln"), out -> out.write(bytes));
 * }</pre>
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Produces the file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null) {
            throw new IllegalArgumentException("cannot write to " + target + ": it has no parent directory");
        }
        if (Files.isDirectory(absolute)) {
            throw new IllegalArgumentException("cannot write to " + target + ": it is a directory");
        }
        Files.createDirectories(dir);
        Path temp = createTemporary(dir, absolute.getFileName().toString());
        boolean moved = false;
        try {
            keepPermissions(absolute, temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = Channels.newOutputStream(channel);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically on this file system", e);
            }
            moved = true;
            forceDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * A new, empty {@code .<name>.<random>.tmp} beside the target, created the way any new file is, so
     * the user's umask decides its permissions (Files.createTempFile would make it rw------- always).
     */
    private static Path createTemporary(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + name + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** A file that replaces another takes over its permissions; a new one keeps what the umask gave it. */
    private static void keepPermissions(Path target, Path temp) throws IOException {
        if (Files.exists(target)
                && Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
        }
    }

    /** Makes the rename itself durable; not every platform can open a directory, and then this is skipped. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory; the rename is still atomic, only its durability is the OS's.
        }
    }
}
