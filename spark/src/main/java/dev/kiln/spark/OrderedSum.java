package dev.kiln.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Sums one round's per-partition {@link RoundSum}s in a fixed order, so that the average does not depend
 * on which task finished first. Floating-point addition is not associative: Spark's {@code treeAggregate}
 * merges partial sums as tasks finish, so with 3 or more partitions two runs of one fit differed in the
 * last bits of the weights. Here the shape of the sum is a function of the partition count only:
 *
 * <ul>
 *   <li>up to {@link #DIRECT_PARTITIONS} partitions: {@code collect} returns the sums in partition order
 *       and the driver adds them in that order. The driver holds all P sums at once: P copies of the
 *       model's weights and optimizer slots, in double ({@code (1 + k) · W · 8} bytes each);</li>
 *   <li>more: a fixed two-level tree. Blocks of {@code g = ⌈√P⌉} consecutive partitions are shuffled to
 *       one task each, sorted by partition index, and added in that order there; the driver collects the
 *       {@code ⌈P / g⌉} block sums in block order and adds them. The driver then holds about √P sums,
 *       and each block task streams its g sums in order (Spark's sorter may spill them to disk).</li>
 * </ul>
 */
final class OrderedSum {
    /** At or below this many partitions every partition's sum goes straight to the driver (no shuffle). */
    static final int DIRECT_PARTITIONS = 8;

    private OrderedSum() {
    }

    /** The sum of {@code perPartition} (one RoundSum in each of its partitions), in partition order. */
    static RoundSum of(JavaRDD<RoundSum> perPartition) {
        int partitions = perPartition.getNumPartitions();
        List<RoundSum> parts;
        if (partitions <= DIRECT_PARTITIONS) {
            parts = perPartition.collect(); // collect keeps partition order whatever order the tasks end in
        } else {
            int block = (int) Math.ceil(Math.sqrt(partitions));
            JavaPairRDD<Integer, RoundSum> keyed = perPartition.mapPartitionsWithIndex(
                    (Integer index, Iterator<RoundSum> sums) -> {
                        List<Tuple2<Integer, RoundSum>> out = new ArrayList<>(1);
                        sums.forEachRemaining(s -> out.add(new Tuple2<>(index, s)));
                        return out.iterator();
                    }, true).mapToPair(t -> t);
            parts = keyed.repartitionAndSortWithinPartitions(new Blocks(partitions, block))
                    .mapPartitions((Iterator<Tuple2<Integer, RoundSum>> sorted) -> {
                        RoundSum acc = new RoundSum();
                        sorted.forEachRemaining(t -> acc.merge(t._2()));
                        return List.of(acc).iterator();
                    }).collect();
        }
        RoundSum total = new RoundSum();
        for (RoundSum part : parts) {
            total.merge(part);
        }
        return total;
    }

    /** Partition i goes to block i / size: consecutive partitions, so each block adds a contiguous run. */
    private static final class Blocks extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;
        private final int size;

        Blocks(int partitions, int size) {
            this.partitions = partitions;
            this.size = size;
        }

        @Override
        public int numPartitions() {
            return (partitions + size - 1) / size;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key / size;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Blocks b && b.partitions == partitions && b.size == size;
        }

        @Override
        public int hashCode() {
            return 31 * partitions + size;
        }
    }
}
