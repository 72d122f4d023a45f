package dev.kiln.core.exec;

/** One kernel launch of a compiled program, bound to its buffers; {@code rows} is the current batch size. */
@FunctionalInterface
public interface Step {
    void run(int rows);
}
