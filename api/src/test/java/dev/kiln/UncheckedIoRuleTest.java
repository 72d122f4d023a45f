package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.memory.Tensor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kiln's I/O rule, held for every public method of the classes a script calls: none declares a checked
 * exception (files fail with an UncheckedIOException carrying the specific IOException as its cause).
 */
class UncheckedIoRuleTest {

    @Test
    void theEverydayApiDeclaresNoCheckedException() {
        List<String> checked = new ArrayList<>();
        for (Class<?> type : List.of(Model.class, Sequential.class, History.class, Datasets.class, Tensor.class,
                Kiln.class)) {
            for (Method method : type.getMethods()) {
                if (!Modifier.isPublic(method.getModifiers()) || method.getDeclaringClass() == Object.class) {
                    continue;
                }
                for (Class<?> exception : method.getExceptionTypes()) {
                    if (!RuntimeException.class.isAssignableFrom(exception) && !Error.class.isAssignableFrom(exception)) {
                        checked.add(type.getSimpleName() + "." + method.getName() + " throws " + exception.getName());
                    }
                }
            }
        }
        assertEquals(List.of(), checked);
    }
}
