package dev.kiln.optimizers.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Each schedule against its closed form as Keras documents it, written out on concrete numbers. */
class SchedulesTest {
    private static final double EPS = 1e-12;

    @Test
    void exponentialDecay() {
        var s = new ExponentialDecay(0.1, 100, 0.5);
        assertEquals(0.1, s.at(0), EPS);
        assertEquals(0.1 * Math.pow(0.5, 0.5), s.at(50), EPS);
        assertEquals(0.05, s.at(100), EPS);
        assertEquals(0.1 * Math.pow(0.5, 2.5), s.at(250), EPS);
        var stairs = new ExponentialDecay(0.1, 100, 0.5, true);
        assertEquals(0.1, stairs.at(99), EPS);
        assertEquals(0.05, stairs.at(100), EPS);
        assertEquals(0.025, stairs.at(250), EPS);
    }

    @Test
    void inverseTimeDecay() {
        var s = new InverseTimeDecay(0.1, 10, 0.5);
        assertEquals(0.1, s.at(0), EPS);
        assertEquals(0.1 / 1.25, s.at(5), EPS);
        assertEquals(0.1 / 1.5, s.at(10), EPS);
        var stairs = new InverseTimeDecay(0.1, 10, 0.5, true);
        assertEquals(0.1, stairs.at(9), EPS);
        assertEquals(0.1 / 1.5, stairs.at(19), EPS);
        assertEquals(0.1 / 2.0, stairs.at(20), EPS);
    }

    @Test
    void cosineDecayWithoutWarmup() {
        var s = new CosineDecay(0.1, 100, 0.2);
        assertEquals(0.1, s.at(0), EPS);
        // half way: cos(π/2) = 0, so ½·(1−α) + α of the start
        assertEquals(0.1 * (0.8 * 0.5 + 0.2), s.at(50), EPS);
        assertEquals(0.1 * (0.8 * 0.5 * (1 + Math.cos(Math.PI * 0.25)) + 0.2), s.at(25), EPS);
        assertEquals(0.02, s.at(100), EPS);
        assertEquals(0.02, s.at(1000), EPS, "stays at α·lr after the decay");
        assertEquals(0.0, new CosineDecay(0.1, 10).at(10), EPS);
    }

    @Test
    void cosineDecayWithWarmup() {
        var s = new CosineDecay(0.0, 100, 0.0, 0.1, 10);
        assertEquals(0.0, s.at(0), EPS);
        assertEquals(0.05, s.at(5), EPS, "linear from 0 to the target over the warmup");
        assertEquals(0.1, s.at(10), EPS, "the decay starts from the target");
        assertEquals(0.05, s.at(60), EPS);
        assertEquals(0.0, s.at(110), EPS);
        assertEquals(0.0, s.at(5000), EPS);
        var fromNonZero = new CosineDecay(0.02, 100, 0.5, 0.1, 4);
        assertEquals(0.02 + (0.1 - 0.02) * 0.75, fromNonZero.at(3), EPS);
        assertEquals(0.05, fromNonZero.at(104), EPS);
    }

    @Test
    void piecewiseConstantDecayBoundariesBelongToTheIntervalBelow() {
        var s = new PiecewiseConstantDecay(new long[] {100, 110}, new double[] {1.0, 0.5, 0.1});
        assertEquals(1.0, s.at(0), EPS);
        assertEquals(1.0, s.at(100), EPS);
        assertEquals(0.5, s.at(101), EPS);
        assertEquals(0.5, s.at(110), EPS);
        assertEquals(0.1, s.at(111), EPS);
    }

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 0, 0.5));
        assertEquals("decay_steps must be > 0, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InverseTimeDecay(Double.NaN, 10, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 10, 0, 0.1, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new PiecewiseConstantDecay(new long[] {1, 2}, new double[] {1.0, 0.5}));
        assertThrows(IllegalArgumentException.class,
                () -> new PiecewiseConstantDecay(new long[] {5, 5}, new double[] {1.0, 0.5, 0.1}));
    }
}
