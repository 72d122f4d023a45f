package dev.kiln.examples;

/** A bad command line: the message (or null for --help) is shown with the usage. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
