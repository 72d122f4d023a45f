/**
 * Vector API kernels over off-heap float32 buffers: GEMM with the transposes backward needs and a
 * fused bias + activation epilogue, activations and their derivatives, softmax, losses, metric
 * reductions and optimizer updates.
 *
 * <p>Every kernel works on a range of its output (rows, columns or elements) so that the caller can
 * split it across threads; the order in which each output element is summed depends only on the
 * problem shape, never on the range, so a seed gives bit-identical results for any thread count.
 * Buffers are row-major {@link java.lang.foreign.MemorySegment}s addressed in float elements.
 */
package dev.kiln.core.kernel;
