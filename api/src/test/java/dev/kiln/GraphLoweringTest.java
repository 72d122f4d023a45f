package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class GraphLoweringTest {
    @Test
    void fansAreKerasFans() {
        assertArrayEquals(new int[] {7, 7}, GraphLowering.fans(new int[] {7}));
        assertArrayEquals(new int[] {784, 128}, GraphLowering.fans(new int[] {784, 128}));
        // A 3×3 convolution kernel from 2 to 8 channels: each output sees 3·3·2 inputs, each input feeds 3·3·8 outputs.
        assertArrayEquals(new int[] {18, 72}, GraphLowering.fans(new int[] {3, 3, 2, 8}));
    }
}
