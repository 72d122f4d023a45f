package dev.kiln.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves the string names of one family (activations, losses, ...) and, for a name it does not
 * know, fails with the valid names and the nearest one, so a typo costs one glance instead of a search.
 */
public final class NameRegistry<T> {
    private final String family;
    private final Map<String, Supplier<T>> entries = new LinkedHashMap<>();

    public NameRegistry(String family) {
        this.family = family;
    }

    /** Registers {@code factory} under {@code name} and each alias. */
    public NameRegistry<T> add(Supplier<T> factory, String name, String... aliases) {
        entries.put(name, factory);
        for (String alias : aliases) {
            entries.put(alias, factory);
        }
        return this;
    }

    public T resolve(String name) {
        if (name == null) {
            throw new IllegalArgumentException(family + " name is null; expected one of " + names());
        }
        Supplier<T> factory = entries.get(name.toLowerCase(Locale.ROOT));
        if (factory == null) {
            String nearest = nearest(name.toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException("unknown " + family + " '" + name + "'; expected one of " + names()
                    + (nearest == null ? "" : "; did you mean '" + nearest + "'?"));
        }
        return factory.get();
    }

    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    private String nearest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : entries.keySet()) {
            int d = editDistance(name, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        // A suggestion further than half the word away is noise, not help.
        return bestDistance <= Math.max(2, name.length() / 2) ? best : null;
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
