package dev.kiln.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OrderedSum adds in a shape fixed by the partition count, whichever task ends first. The values are
 * chosen so that double addition is visibly order-dependent (2^60 + 1 rounds back to 2^60), and the tasks
 * are delayed so that they end in roughly opposite orders in the two runs: a sum merged in finish order,
 * as treeAggregate merges, gives different results here.
 */
class OrderedSumTest {
    private static final float BIG = (float) Math.pow(2, 60);
    private static final float[] PATTERN = {BIG, 1, -BIG, 1};

    private static RoundSum part(int partition) {
        float v = PATTERN[partition % PATTERN.length];
        return new RoundSum().add(partition, List.of(new float[] {v}), List.of(new float[] {v}), 1, 1,
                Map.of("loss", (double) v));
    }

    private static JavaRDD<RoundSum> parts(int partitions, boolean lastEndsFirst) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext());
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            ids.add(i);
        }
        return sc.parallelize(ids, partitions).map(i -> {
            Thread.sleep(15L * (lastEndsFirst ? partitions - i : i));
            return part(i);
        });
    }

    /** The documented shape: blocks of ⌈√P⌉ consecutive partitions above DIRECT_PARTITIONS, each added in order. */
    private static RoundSum expected(int partitions) {
        int block = partitions <= OrderedSum.DIRECT_PARTITIONS ? partitions : (int) Math.ceil(Math.sqrt(partitions));
        RoundSum total = new RoundSum();
        for (int start = 0; start < partitions; start += block) {
            RoundSum b = new RoundSum();
            for (int i = start; i < Math.min(start + block, partitions); i++) {
                b.merge(part(i));
            }
            total.merge(b);
        }
        return total;
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 10})
    void addsInPartitionOrderWhicheverTaskEndsFirst(int partitions) {
        RoundSum want = expected(partitions);
        for (boolean lastEndsFirst : new boolean[] {true, false}) {
            RoundSum got = OrderedSum.of(parts(partitions, lastEndsFirst));
            assertEquals(partitions, got.partitionCount());
            assertEquals(want.averageWeights().get(0)[0], got.averageWeights().get(0)[0], 0f, "weight");
            assertEquals(want.averageSlots().get(0)[0], got.averageSlots().get(0)[0], 0f, "slot");
            assertEquals(want.logSums(), got.logSums());
        }
    }
}
