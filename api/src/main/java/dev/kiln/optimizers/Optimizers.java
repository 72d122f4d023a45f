package dev.kiln.optimizers;

import dev.kiln.internal.KerasClasses;
import dev.kiln.internal.NameRegistry;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ModelFormatException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Optimizers by Keras name, each with Keras' default hyper-parameters: sgd, adam, adamw, rmsprop, adagrad;
 * and by Keras class name, read back from a saved config. Each optimizer is one line here.
 *
 * <pre>{@code
 * Optimizer o = Optimizers.resolve("adam");   // new Adam()
 * }</pre>
 */
public final class Optimizers {
    /** Reads one optimizer class from its Keras config. */
    @FunctionalInterface
    interface Reader {
        Optimizer read(CommonConfig common, ConfigReader config) throws ModelFormatException;
    }

    private static final NameRegistry<Optimizer> NAMES = new NameRegistry<Optimizer>("optimizer");
    private static final KerasClasses<Reader> CLASSES = new KerasClasses<Reader>();

    static {
        register(SGD.class, SGD::new, SGD::fromConfig, "sgd");
        register(Adam.class, Adam::new, Adam::fromConfig, "adam");
        register(AdamW.class, AdamW::new, AdamW::fromConfig, "adamw");
        register(RMSprop.class, RMSprop::new, RMSprop::fromConfig, "rmsprop");
        register(Adagrad.class, Adagrad::new, Adagrad::fromConfig, "adagrad");
    }

    private Optimizers() {
    }

    private static <T extends Optimizer> void register(Class<T> type, Supplier<T> withDefaults, Reader reader,
            String name) {
        NAMES.add(withDefaults::get, name);
        CLASSES.add(type, reader);
    }

    public static Optimizer resolve(String name) {
        return NAMES.resolve(name);
    }

    public static List<String> names() {
        return NAMES.names();
    }

    /** The Keras class names saved optimizers are read by: {@code SGD, Adam, AdamW, RMSprop and Adagrad}. */
    public static String classNames() {
        return CLASSES.described();
    }

    /** True when Kiln has an optimizer saved under Keras class name {@code className}. */
    public static boolean hasClass(String className) {
        return CLASSES.reader(className) != null;
    }

    /**
     * The optimizer of Keras class {@code className} read from its config (Keras' deserialize), or null
     * when no optimizer has that class name.
     */
    public static Optimizer fromConfig(String className, CommonConfig common, ConfigReader config)
            throws ModelFormatException {
        Reader reader = CLASSES.reader(className);
        return reader == null ? null : reader.read(common, config);
    }
}
