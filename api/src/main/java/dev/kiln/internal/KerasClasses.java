package dev.kiln.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One family's Keras class names (the {@code class_name} of a saved object), each with the function
 * that reads an object of that class back from its config. A class is registered by its Java class,
 * which is named as Keras' class, so the name a file is written with and the one it is read by cannot
 * drift apart.
 *
 * <pre>{@code
 * KerasClasses<Reader> classes = new KerasClasses<Reader>().add(Adam.class, Adam::fromConfig);
 * Reader reader = classes.reader("Adam");
 * }</pre>
 *
 * @param <R> the family's reader function
 */
public final class KerasClasses<R> {
    private final Map<String, R> readers = new LinkedHashMap<>();

    public KerasClasses<R> add(Class<?> type, R reader) {
        readers.put(type.getSimpleName(), reader);
        return this;
    }

    /** The reader of Keras class {@code className}, or null when the family has no class of that name. */
    public R reader(String className) {
        return readers.get(className);
    }

    public List<String> names() {
        return new ArrayList<>(readers.keySet());
    }

    /** The names for a message: {@code SGD, Adam and AdamW}. */
    public String described() {
        List<String> names = names();
        if (names.size() <= 1) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
