package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutation fuzzing for file readers: takes valid files, damages copies of them (truncation, flipped
 * bytes, overwritten length fields, appended junk) and feeds each copy to a reader. The reader may
 * accept a copy or refuse it with one of the exception types it documents; anything else (an
 * OutOfMemoryError, a NegativeArraySizeException, an IndexOutOfBoundsException from inside the
 * reader...) fails the test with the seed and case number that reproduce it. {@link #runAttacks} does the
 * same for structured attacks a format's test builds on purpose.
 */
public final class FileFuzzer {

    /** Reads the bytes as a file would be read; any result is acceptable, only the throwables matter. */
    @FunctionalInterface
    public interface Reader {
        void read(byte[] bytes) throws Exception;
    }

    /** Makes a damaged copy of a valid file; {@link #mutate} is the generic one. */
    @FunctionalInterface
    public interface Mutation {
        byte[] apply(byte[] original, Random random);
    }

    private final List<byte[]> seeds;
    private final List<Class<? extends Exception>> allowed;

    /**
     * @param seeds   valid files to start from
     * @param allowed the exceptions the reader documents for bad input (subclasses count)
     */
    public FileFuzzer(List<byte[]> seeds, List<Class<? extends Exception>> allowed) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("FileFuzzer needs at least one valid seed file");
        }
        this.seeds = seeds;
        this.allowed = allowed;
    }

    /**
     * Runs {@code cases} mutated copies through the reader and returns how many the reader refused
     * (the rest it accepted). Prints the count so a CI log shows how much was tried.
     */
    public int run(String format, long seed, int cases, Reader reader) {
        return run(format, seed, cases, FileFuzzer::mutate, reader);
    }

    /** As {@link #run(String, long, int, Reader)}, with damage made by {@code mutation}. */
    public int run(String format, long seed, int cases, Mutation mutation, Reader reader) {
        Random random = new Random(seed);
        int refused = 0;
        for (int c = 0; c < cases; c++) {
            byte[] original = seeds.get(random.nextInt(seeds.size()));
            if (refuses(reader, mutation.apply(original, random), format + " fuzz case " + c, seed)) {
                refused++;
            }
        }
        printCounts(format, cases, refused);
        return refused;
    }

    /** Makes one file of a structured attack from a seeded source of randomness. */
    @FunctionalInterface
    public interface Attack {
        byte[] make(Random random) throws IOException;
    }

    /**
     * Runs {@code cases} files made by {@code attack} through the reader, under the same rules as mutated
     * copies, and returns how many the reader refused. Random damage rarely builds the files an attacker
     * would: a header whose sizes lie but whose payload is real compressed data, junk after a well-formed
     * stream, a zero dimension beside huge ones. Each format's test writes those as an {@code Attack}.
     */
    public int runAttacks(String format, long seed, int cases, Attack attack, Reader reader) {
        Random random = new Random(seed);
        int refused = 0;
        for (int c = 0; c < cases; c++) {
            byte[] bytes;
            try {
                bytes = attack.make(random);
            } catch (IOException e) {
                throw new UncheckedIOException("making " + format + " attack " + c + " (seed " + seed + ")", e);
            }
            if (refuses(reader, bytes, format + " attack " + c, seed)) {
                refused++;
            }
        }
        printCounts(format + " attacks", cases, refused);
        return refused;
    }

    /** True if the reader refused the bytes as it documents; fails the test if anything else escaped. */
    private boolean refuses(Reader reader, byte[] bytes, String which, long seed) {
        try {
            reader.read(bytes);
            return false;
        } catch (Exception e) {
            if (!isAllowed(e)) {
                fail(which + " (seed " + seed + ", " + bytes.length + " bytes) threw " + e, e);
            }
            return true;
        } catch (StackOverflowError | OutOfMemoryError e) {
            fail(which + " (seed " + seed + ", " + bytes.length + " bytes) threw " + e, e);
            return true;
        }
    }

    private static void printCounts(String format, int cases, int refused) {
        System.out.printf("fuzz %s: %d cases, %d refused with a clear exception, %d accepted%n",
                format, cases, refused, cases - refused);
    }

    private boolean isAllowed(Throwable e) {
        if (e instanceof UncheckedIOException unchecked && unchecked.getCause() != null) {
            // Kiln's public file methods throw unchecked, the documented exception as the cause.
            return isAllowed(unchecked.getCause());
        }
        for (Class<? extends Exception> type : allowed) {
            if (type.isInstance(e)) {
                return true;
            }
        }
        return false;
    }

    /** One of: truncate, flip a few bytes, overwrite 8 bytes with an extreme value, append junk. */
    static byte[] mutate(byte[] original, Random random) {
        byte[] copy;
        switch (random.nextInt(4)) {
            case 0 -> copy = Arrays.copyOf(original, random.nextInt(original.length + 1));
            case 1 -> {
                copy = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips && copy.length > 0; i++) {
                    // Headers hold the interesting fields: bias flips towards the start.
                    int span = random.nextBoolean() ? Math.min(copy.length, 256) : copy.length;
                    copy[random.nextInt(span)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 2 -> {
                copy = original.clone();
                if (copy.length >= 8) {
                    int at = random.nextInt(Math.min(copy.length, 256) - 7);
                    long value = switch (random.nextInt(4)) {
                        case 0 -> -1L;
                        case 1 -> 1L << 60;
                        case 2 -> Integer.MAX_VALUE;
                        default -> random.nextLong();
                    };
                    for (int b = 0; b < 8; b++) {
                        copy[at + b] = (byte) (value >>> (8 * b));
                    }
                }
            }
            default -> {
                copy = Arrays.copyOf(original, original.length + 1 + random.nextInt(64));
                for (int i = original.length; i < copy.length; i++) {
                    copy[i] = (byte) random.nextInt(256);
                }
            }
        }
        return copy;
    }
}
