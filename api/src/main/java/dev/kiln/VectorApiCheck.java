package dev.kiln;

/**
 * The first touch of Kiln's engine checks that the JVM can see the incubating Vector API, which the
 * kernels are written against. A JVM started on the class path without {@code --add-modules
 * jdk.incubator.vector} cannot, and would otherwise fail later, deep inside the first compile or a
 * background warm-up thread, with a bare {@code NoClassDefFoundError: jdk/incubator/vector/FloatVector}.
 *
 * <p>The failure is an {@link Error}, not an exception: it is raised while {@link Kiln}'s class is
 * being initialised, and an error leaves that unwrapped, so the user's stack trace starts with the
 * message below instead of an {@code ExceptionInInitializerError}.
 */
final class VectorApiCheck {
    static final String VECTOR_CLASS = "jdk.incubator.vector.FloatVector";

    static final String MESSAGE = """
            Kiln needs the incubating Vector API, and this JVM was started without it. \
            Add the JVM option --add-modules jdk.incubator.vector where your program starts:
              java:     java --add-modules jdk.incubator.vector -cp ... your.Main \
            (or export JDK_JAVA_OPTIONS='--add-modules jdk.incubator.vector')
              Maven:    <argLine>--add-modules jdk.incubator.vector</argLine> in maven-surefire-plugin's \
            configuration; <argument>--add-modules</argument><argument>jdk.incubator.vector</argument> \
            before -classpath in exec-maven-plugin's exec goal
              Gradle:   application { applicationDefaultJvmArgs = ['--add-modules', 'jdk.incubator.vector'] } \
            and tasks.withType(Test) { jvmArgs '--add-modules', 'jdk.incubator.vector' }
              JShell:   jshell -R--add-modules=jdk.incubator.vector --class-path ...
              IDE:      the run configuration's VM options: --add-modules jdk.incubator.vector
            (On the module path, 'requires dev.kiln' in your module-info resolves it by itself.)""";

    private VectorApiCheck() {
    }

    /** Throws the error above when the Vector API is not visible to Kiln's class loader. */
    static void require() {
        require(VectorApiCheck.class.getClassLoader());
    }

    static void require(ClassLoader loader) {
        try {
            // Not initialised: only whether the class resolves matters here.
            Class.forName(VECTOR_CLASS, false, loader);
        } catch (ClassNotFoundException e) {
            NoClassDefFoundError error = new NoClassDefFoundError(MESSAGE);
            error.initCause(e);
            throw error;
        }
    }
}
