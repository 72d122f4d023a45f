package dev.kiln.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The command lines of {@code ./kiln demo} and {@code ./kiln bench}: every option is a flag followed
 * by one value ({@code --batch 128}), a later repeat overriding an earlier one; {@code -h}/{@code --help}
 * asks for the usage. Mistakes become a {@link UsageException}, which {@link #parseOrExit} turns into
 * the usage text and exit status 2.
 *
 * <pre>{@code
 * CommandLine line = CommandLine.of(args, List.of("--batch", "--threads"));
 * int batch = line.positive("--batch", 128);
 * }</pre>
 */
final class CommandLine {
    private final Map<String, String> values;

    private CommandLine(Map<String, String> values) {
        this.values = values;
    }

    /** Reads {@code flag value} pairs, refusing a flag not in {@code flags} or one without a value. */
    static CommandLine of(String[] args, List<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                throw new UsageException(null);
            }
            if (!flags.contains(flag)) {
                throw new UsageException("unknown option " + flag);
            }
            if (i + 1 >= args.length) {
                throw new UsageException("option " + flag + " needs a value");
            }
            values.put(flag, args[++i]);
        }
        return new CommandLine(values);
    }

    /**
     * Parses {@code args}; on a mistake prints {@code "kiln <command>: <problem>"} and the usage to
     * standard error and exits with status 2 (status 0 and the usage alone for --help).
     */
    static <T> T parseOrExit(String command, String[] args, Function<String[], T> parser, String usage) {
        try {
            return parser.apply(args);
        } catch (UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("kiln " + command + ": " + e.getMessage());
            }
            System.err.print(usage);
            System.exit(e.getMessage() == null ? 0 : 2);
            throw new AssertionError("unreachable");
        }
    }

    boolean has(String flag) {
        return values.containsKey(flag);
    }

    String string(String flag, String otherwise) {
        return values.getOrDefault(flag, otherwise);
    }

    /** The flag's whole number, which must be >= 1; {@code otherwise} when the flag is absent. */
    int positive(String flag, int otherwise) {
        return has(flag) ? wholeNumber(flag, values.get(flag), 1) : otherwise;
    }

    /** The flag's whole number, which must be >= 0; {@code otherwise} when the flag is absent. */
    int nonNegative(String flag, int otherwise) {
        return has(flag) ? wholeNumber(flag, values.get(flag), 0) : otherwise;
    }

    long longValue(String flag, long otherwise) {
        if (!has(flag)) {
            return otherwise;
        }
        try {
            return Long.parseLong(values.get(flag));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs a whole number, got '" + values.get(flag) + "'");
        }
    }

    /** {@code value} as an int of at least {@code min} (0 or 1), or a UsageException naming the flag. */
    static int wholeNumber(String flag, String value, int min) {
        try {
            int v = Integer.parseInt(value);
            if (v < min) {
                throw new UsageException(flag + " must be >= " + min + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs a whole number, got '" + value + "'");
        }
    }
}
