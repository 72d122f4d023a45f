package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;

/** The shape rule the image ops share: examples are images [height, width, channels], channels last. */
final class Images {
    private Images() {
    }

    /** {@code input} itself when it is an image, else an exception naming {@code op} and the shape it got. */
    static Shape require(String op, Shape input) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException(op + " needs images of shape [height, width, channels] but gets examples"
                    + " of shape " + input + "; reshape them first (e.g. [784] to [28, 28, 1])");
        }
        return input;
    }
}
