/**
 * Kiln's engine: off-heap tensors, the op graph and its compiler, the training runtime, the kernel
 * thread pool and the Vector API kernels.
 *
 * <p>Users see one package of it, {@code dev.kiln.core.memory}, because {@code Tensor} and
 * {@code Shape} appear in the API ({@code model.fit(tensor, ...)}, {@code Tensor.fromNpy}). The
 * engine's floors are exported to the API module alone: they change whenever an op or a kernel does,
 * and a user who could reach them could break the rules the compiled program relies on (bound
 * segments, the memory plan). Code on the class path (the examples, JShell, the benchmarks, which
 * reach into the kernels on purpose) ignores this descriptor and sees everything.
 */
module dev.kiln.core {
    // The kernels are written against the incubating Vector API.
    requires jdk.incubator.vector;
    // CompilerDirectives hands C2 a directive through the platform MBean server. The diagnostic
    // command MBean it calls comes from jdk.management, which service binding resolves where it
    // exists; requiring it would stop Kiln from starting on a JVM without it.
    requires java.management;
    requires org.slf4j;

    exports dev.kiln.core.memory;

    exports dev.kiln.core.exec to dev.kiln;
    exports dev.kiln.core.expr to dev.kiln;
    exports dev.kiln.core.graph to dev.kiln;
    exports dev.kiln.core.io to dev.kiln;
    exports dev.kiln.core.kernel to dev.kiln;
    exports dev.kiln.core.runtime to dev.kiln;
}
