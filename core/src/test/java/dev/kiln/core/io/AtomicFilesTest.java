package dev.kiln.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The permissions of what AtomicFiles writes: a new file gets what any new file gets from the user's
 * umask (under umask 077 it stays private, as `touch` would make it), a replaced file keeps its own.
 */
class AtomicFilesTest {
    @TempDir
    Path dir;

    /** Writes {@code args[0]} through AtomicFiles; run in a JVM started under a chosen umask. */
    public static void main(String[] args) throws IOException {
        AtomicFiles.write(Path.of(args[0]), out -> out.write("written".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aNewFileFollowsTheUmaskAndAReplacedOneKeepsItsPermissions() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX only");
        for (String umask : new String[] {"077", "022", "002"}) {
            Path file = dir.resolve("new-" + umask + ".bin");
            Path reference = dir.resolve("touched-" + umask);
            String java = ProcessHandle.current().info().command().orElse(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Process p = new ProcessBuilder("sh", "-c", "umask " + umask + " && touch \"$3\" && exec \"$0\" -cp \"$1\" "
                    + AtomicFilesTest.class.getName() + " \"$2\"", java, System.getProperty("java.class.path"),
                    file.toString(), reference.toString()).inheritIO().start();
            assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "the writer finished");
            assertEquals(0, p.exitValue());
            assertEquals(permissions(reference), permissions(file), "umask " + umask);
        }
        Path replaced = dir.resolve("new-022.bin");
        Files.setPosixFilePermissions(replaced, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.write(replaced, out -> out.write(1));
        assertEquals("rw-rw----", permissions(replaced));
        try (var listing = Files.list(dir)) {
            assertEquals(6, listing.count(), "no temporary file left");
        }
    }

    private static String permissions(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
