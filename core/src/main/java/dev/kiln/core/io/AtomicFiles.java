package dev.kiln.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a part:
 * the bytes go to a temporary file in the same directory, are forced to disk, and the temporary file
 * is then renamed over the target in one atomic step. A crash (even SIGKILL or a power cut after the
 * rename) leaves the previous file whole; a stray {@code .<name>.*.tmp} may remain, never a half file.
 * Every file Kiln writes goes through here ({@code model.save}, {@code saveWeights}, {@code tensor.toNpy},
 * plots, {@code CSVLogger}), so all get the same permissions: those of the file replaced, or rw-r--r--
 * for a new one. (Downloads keep their own private partial file until its digest is verified.)
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("model.kiln"), out -> out.write(bytes));
 * }</pre>
 */
public final class AtomicFiles {

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
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
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
     * A temporary file is private (rw-------); the file it becomes should not be. It takes over the
     * permissions of the file it replaces, or the usual rw-r--r-- of a new file.
     */
    private static void keepPermissions(Path target, Path temp) throws IOException {
        if (!Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temp, permissions);
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
