package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.assertClose;
import static dev.kiln.core.kernel.LossTestBuffers.floats;
import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static dev.kiln.core.kernel.LossTestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every loss kernel against its scalar double reference, on odd shapes. */
class LossKernelsTest {
    static Stream<Arguments> shapes() {
        return LossCase.all().stream().flatMap(c -> Stream.of(1, 3, 37).flatMap(rows ->
                Stream.of(1, 2, 10, 17, 33).map(cols -> Arguments.of(c, rows, cols))));
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("shapes")
    void matchesTheDoubleReference(LossCase c, int rows, int cols) {
        Random random = new Random(31L * rows + cols);
        float[] in = c.inputs().draw(random, rows * cols);
        float[] labels = LossTestBuffers.labels(random, rows, cols);
        float[] dense = c.sparse() ? LossTestBuffers.oneHot(labels, cols) : c.denseTargets(random, rows, cols);
        double[] refGrad = new double[rows * cols];
        double[] refProb = new double[rows * cols];
        double refSum = 0;
        for (int i = 0; i < rows; i++) {
            refSum += c.reference().row(in, dense, i, cols, refGrad, refProb);
        }
        float gradScale = 1f / rows;
        double maxGrad = 0;
        for (int k = 0; k < refGrad.length; k++) {
            refGrad[k] *= gradScale;
            maxGrad = Math.max(maxGrad, Math.abs(refGrad[k]));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment input = segment(arena, in);
            MemorySegment target = segment(arena, c.sparse() ? labels : dense);
            MemorySegment prob = zeros(arena, rows * cols);
            MemorySegment grad = zeros(arena, rows * cols);
            double sum = c.kernel().run(input, target, prob, grad, cols, gradScale, 0, rows);

            assertClose(refSum, sum, 1e-10, 1e-12, c + " loss");
            assertClose(refGrad, floats(grad), 1e-6, 1e-7 * maxGrad, c + " gradient");
            if (c.hasProb()) {
                assertClose(refProb, floats(prob), 1e-6, 1e-30, c + " activation");
            }
            double lossOnly = c.kernel().run(input, target, null, null, cols, gradScale, 0, rows);
            assertEquals(sum, lossOnly, c + ": the loss must not depend on whether the gradient is asked for");
        }
    }

    static Stream<Arguments> sparsePairs() {
        return Stream.of(1, 2, 10, 17, 33).map(cols -> Arguments.of(cols));
    }

    @ParameterizedTest(name = "cols {0}")
    @MethodSource("sparsePairs")
    void sparseAndOneHotFormsAgree(int cols) {
        int rows = 37;
        Random random = new Random(cols);
        float[] labels = LossTestBuffers.labels(random, rows, cols);
        float[] oneHot = LossTestBuffers.oneHot(labels, cols);
        float[] probs = LossTestBuffers.uniform(random, rows * cols, 0.01f, 1f);
        float[] logits = LossTestBuffers.uniform(random, rows * cols, -8f, 8f);
        float scale = 1f / rows;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = segment(arena, probs);
            MemorySegment z = segment(arena, logits);
            MemorySegment y = segment(arena, labels);
            MemorySegment t = segment(arena, oneHot);
            MemorySegment gSparse = zeros(arena, rows * cols);
            MemorySegment gDense = zeros(arena, rows * cols);
            MemorySegment pSparse = zeros(arena, rows * cols);
            MemorySegment pDense = zeros(arena, rows * cols);

            double sparse = LossKernels.sparseCategoricalCrossEntropy(p, y, gSparse, cols, scale, 0, rows);
            double dense = LossKernels.categoricalCrossEntropy(p, t, 0f, gDense, cols, scale, 0, rows);
            assertClose(dense, sparse, 1e-12, 0, "cce loss");
            assertArrayEquals(floats(gDense), floats(gSparse), "cce gradient");

            sparse = LossKernels.sparseSoftmaxCrossEntropy(z, y, pSparse, gSparse, cols, scale, 0, rows);
            dense = LossKernels.softmaxCrossEntropy(z, t, 0f, pDense, gDense, cols, scale, 0, rows);
            assertClose(dense, sparse, 1e-12, 0, "softmax ce loss");
            assertArrayEquals(floats(gDense), floats(gSparse), "softmax ce gradient");
            assertArrayEquals(floats(pDense), floats(pSparse), "softmax");
        }
    }
}
