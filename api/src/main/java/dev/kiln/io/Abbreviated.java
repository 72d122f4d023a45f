package dev.kiln.io;

import java.util.Collection;
import java.util.Iterator;
import java.util.StringJoiner;

/**
 * Keeps messages short whatever a file holds: a list of names shows its first few and how many more
 * there are, a long name its beginning and its length. A hostile file can hold a million tensor names
 * or a name of a million characters, and a message repeating them costs time and memory of its own
 * and helps nobody read it.
 *
 * <pre>{@code
 * Abbreviated.list(names); // "[dense/kernel, dense/bias, ..., t5, … and 992 more]"
 * }</pre>
 */
public final class Abbreviated {
    /** How many names of a list a message shows. */
    static final int NAMES_SHOWN = 8;
    /** Names longer than this are cut in messages. */
    static final int NAME_CHARS = 100;

    private Abbreviated() {
    }

    /** The first {@value #NAMES_SHOWN} names in iteration order, each abbreviated, and how many more. */
    public static String list(Collection<String> names) {
        StringJoiner out = new StringJoiner(", ", "[", "]");
        Iterator<String> it = names.iterator();
        for (int i = 0; i < NAMES_SHOWN && it.hasNext(); i++) {
            out.add(name(it.next()));
        }
        if (names.size() > NAMES_SHOWN) {
            out.add("… and " + (names.size() - NAMES_SHOWN) + " more");
        }
        return out.toString();
    }

    /** The name, or its beginning and its length when it is longer than {@value #NAME_CHARS} characters. */
    public static String name(String name) {
        if (name.length() <= NAME_CHARS) {
            return name;
        }
        return name.substring(0, NAME_CHARS - 40) + "… (" + name.length() + " characters)";
    }
}
