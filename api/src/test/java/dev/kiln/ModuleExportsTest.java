package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Tensor;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module descriptors export what users import and nothing of the engine.
 *
 * <p>The tests run on the class path, where module-info is ignored, so nothing else would notice an
 * engine package leaking out or a user-facing package left behind. These read the compiled
 * descriptors from wherever {@code dev.kiln} and {@code dev.kiln.core} were loaded (a classes folder
 * in the build, a jar elsewhere).
 */
class ModuleExportsTest {
    private static final String API = "dev.kiln";
    private static final String CORE = "dev.kiln.core";

    /** What users import: the packages the README and the examples name. */
    private static final Set<String> API_EXPORTS = Set.of("dev.kiln", "dev.kiln.activations", "dev.kiln.callbacks",
            "dev.kiln.data", "dev.kiln.initializers", "dev.kiln.io", "dev.kiln.layers", "dev.kiln.losses",
            "dev.kiln.metrics", "dev.kiln.ops", "dev.kiln.optimizers", "dev.kiln.optimizers.schedules",
            "dev.kiln.regularizers");
    /** What the api packages share among themselves and users never name. */
    private static final Set<String> API_INTERNAL = Set.of("dev.kiln.internal");
    /** Tensor and Shape appear in the API's signatures; the rest of core is the engine. */
    private static final Set<String> CORE_EXPORTS = Set.of("dev.kiln.core.memory");
    /** The engine's packages, which the api builds on and nothing else may see. */
    private static final Set<String> CORE_ENGINE = Set.of("dev.kiln.core.exec", "dev.kiln.core.expr",
            "dev.kiln.core.graph", "dev.kiln.core.io", "dev.kiln.core.kernel", "dev.kiln.core.runtime");
    /** Core packages that even the api does not see (none yet). */
    private static final Set<String> CORE_INTERNAL = Set.of();

    @Test
    void theApiExportsExactlyWhatUsersImport() {
        ModuleDescriptor api = descriptor(Model.class, API);
        assertEquals(new TreeSet<>(API_EXPORTS), unqualifiedExports(api));
        assertEquals(Map.of(), qualifiedExports(api), "the api has no friends to export to");
        assertTrue(api.opens().isEmpty() && !api.isOpen(),
                "nothing reflects into the api (Jackson reads and writes trees, not our classes): " + api.opens());
    }

    @Test
    void everyApiPackageIsEitherExportedOrKnownInternal() {
        // A new package must be a decision: exported for users, or added to API_INTERNAL.
        Set<String> unclassified = new TreeSet<>(descriptor(Model.class, API).packages());
        unclassified.removeAll(API_EXPORTS);
        unclassified.removeAll(API_INTERNAL);
        assertEquals(Set.of(), unclassified, "export these in api's module-info.java or list them in API_INTERNAL");
    }

    @Test
    void theApiPassesTensorOnToItsUsers() {
        // model.fit(Tensor, ...) and Tensor.fromNpy are API: a module requiring dev.kiln must read dev.kiln.core.
        Requires core = descriptor(Model.class, API).requires().stream()
                .filter(r -> r.name().equals(CORE)).findFirst().orElseThrow();
        assertTrue(core.modifiers().contains(Requires.Modifier.TRANSITIVE), core.toString());
    }

    @Test
    void coreExportsTensorToEveryoneAndTheEngineOnlyToTheApi() {
        ModuleDescriptor core = descriptor(Tensor.class, CORE);
        assertEquals(new TreeSet<>(CORE_EXPORTS), unqualifiedExports(core));
        Map<String, Set<String>> expected = CORE_ENGINE.stream().collect(Collectors.toMap(p -> p, p -> Set.of(API)));
        assertEquals(new TreeMap<>(expected), new TreeMap<>(qualifiedExports(core)),
                "the engine's packages go to the api module and to no one else");
        assertTrue(core.opens().isEmpty() && !core.isOpen(), core.opens().toString());
    }

    @Test
    void everyCorePackageIsEitherExportedOrKnownInternal() {
        // A new engine package must be a decision too: exported to the api, or listed in CORE_INTERNAL.
        Set<String> unclassified = new TreeSet<>(descriptor(Tensor.class, CORE).packages());
        unclassified.removeAll(CORE_EXPORTS);
        unclassified.removeAll(CORE_ENGINE);
        unclassified.removeAll(CORE_INTERNAL);
        assertEquals(Set.of(), unclassified,
                "export these to dev.kiln in core's module-info.java, or list them in CORE_ENGINE or CORE_INTERNAL");
    }

    @Test
    void theModulesResolveFromKilnsOwnClassPath() {
        // Every `requires` names a module that is really there, as a module-path user would have it:
        // the jars Maven put on this class path, plus the classes folders that hold a module-info.
        ModuleFinder finder = ModuleFinder.of(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of)
                .filter(p -> p.toString().endsWith(".jar") || Files.isRegularFile(p.resolve("module-info.class")))
                .toArray(Path[]::new));
        // The JDK's own modules come from the JDK, whatever this JVM happened to resolve at boot.
        Configuration graph = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.ofSystem(), Set.of(API));
        Set<String> kiln = graph.modules().stream().map(m -> m.name()).filter(n -> n.startsWith(API))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of(API, CORE)), kiln);
    }

    /** The descriptor of the module {@code type} was loaded from, checked to be the one named. */
    private static ModuleDescriptor descriptor(Class<?> type, String name) {
        Path location;
        try {
            location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
        ModuleDescriptor descriptor = ModuleFinder.of(location).find(name)
                .orElseThrow(() -> new AssertionError("no module " + name + " in " + location)).descriptor();
        assertFalse(descriptor.isAutomatic(), name + " in " + location + " has no module-info");
        return descriptor;
    }

    private static Set<String> unqualifiedExports(ModuleDescriptor module) {
        return module.exports().stream().filter(e -> !e.isQualified()).map(Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<String, Set<String>> qualifiedExports(ModuleDescriptor module) {
        return module.exports().stream().filter(Exports::isQualified)
                .collect(Collectors.toMap(Exports::source, Exports::targets));
    }
}
