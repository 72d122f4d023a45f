package dev.kiln.core.graph;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.Parameter;
import java.util.List;

/**
 * The fusion passes: matmul → bias_add → elementwise activation becomes one {@link Dense} (one GEMM
 * with the epilogue in registers), and the loss absorbs a final softmax or sigmoid it can compute
 * from the logits.
 */
final class Fusion {
    private Fusion() {
    }

    /**
     * True when {@code loss} absorbs the last node of {@code chain}: a softmax before a probability
     * cross-entropy or a sigmoid before a probability binary cross-entropy.
     */
    static boolean lossAbsorbsOutput(List<Node> chain, LossFunction loss) {
        Node last = chain.get(chain.size() - 1);
        return loss.fusesWith() != null && last.op() instanceof Activate(Activation f) && f == loss.fusesWith()
                && chain.size() > 1;
    }

    /**
     * Rewrites {@code chain} (input first) into a new graph where every matmul with the bias add and
     * elementwise activation that directly follow it is one dense node. The last node is left alone
     * when {@code keepLast} (the loss absorbs it).
     */
    static Graph fuseDense(List<Node> chain, boolean keepLast) {
        Graph fused = new Graph(((Input) chain.get(0).op()).shape());
        Node previous = fused.input();
        int last = chain.size() - 1;
        for (int i = 1; i < chain.size(); i++) {
            Node node = chain.get(i);
            if (node.op() instanceof MatMul(Parameter kernel)) {
                Parameter bias = null;
                Activation activation = Activation.LINEAR;
                if (i + 1 <= last && chain.get(i + 1).op() instanceof BiasAdd(Parameter b)) {
                    bias = b;
                    i++;
                }
                if (i + 1 <= last && !(keepLast && i + 1 == last)
                        && chain.get(i + 1).op() instanceof Activate(Activation f) && f.isElementwise()) {
                    activation = f;
                    i++;
                }
                previous = fused.add(node.name(), new Dense(kernel, bias, activation), previous);
            } else {
                previous = fused.add(node.name(), node.op(), previous);
            }
        }
        return fused;
    }
}
