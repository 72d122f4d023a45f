package com.example.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void theNetworkLearnsTheCircle() {
        double accuracy = Main.trainAndTest(7);
        // A straight line can do no better than always answering "outside" (about 61%).
        assertTrue(accuracy > 0.9, "test accuracy " + accuracy);
    }
}
