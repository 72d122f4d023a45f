package dev.kiln;

import dev.kiln.callbacks.Callback;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@link FitOption}s of one fit call with Keras' defaults filled in. */
record FitSettings(int epochs, int batchSize, boolean shuffle, double validationSplit,
        FitOption.ValidationData validationData, int verbose, List<Callback> callbacks, int initialEpoch,
        int stepsPerEpoch, boolean batchSizeGiven, float[] sampleWeight, Map<Integer, Double> classWeight) {

    static FitSettings of(FitOption... options) {
        int epochs = 1;
        int batchSize = 32;
        boolean shuffle = true;
        double split = 0;
        FitOption.ValidationData data = null;
        int verbose = 1;
        List<Callback> callbacks = new ArrayList<>();
        int initialEpoch = 0;
        int stepsPerEpoch = 0;
        boolean batchSizeGiven = false;
        float[] sampleWeight = null;
        Map<Integer, Double> classWeight = null;
        for (FitOption o : options) {
            switch (o) {
                case null -> throw new IllegalArgumentException("a fit option is null");
                case FitOption.Epochs e -> epochs = e.value();
                case FitOption.BatchSize b -> {
                    batchSize = b.value();
                    batchSizeGiven = true;
                }
                case FitOption.Shuffle s -> shuffle = s.value();
                case FitOption.ValidationSplit v -> split = v.value();
                case FitOption.ValidationData d -> data = d;
                case FitOption.Verbose v -> verbose = v.value();
                case FitOption.Callbacks c -> callbacks.addAll(c.value());
                case FitOption.InitialEpoch i -> initialEpoch = i.value();
                case FitOption.StepsPerEpoch s -> stepsPerEpoch = s.value();
                case FitOption.SampleWeight w -> sampleWeight = w.value();
                case FitOption.ClassWeight c -> classWeight = c.value();
            }
        }
        if (sampleWeight != null && classWeight != null) {
            // Keras refuses the pair too: which of the two would win, or their product, is anyone's guess.
            throw new IllegalArgumentException("sampleWeight and classWeight cannot be given together; fold the"
                    + " class weights into the sample weights instead");
        }
        return new FitSettings(epochs, batchSize, shuffle, split, data, verbose, List.copyOf(callbacks), initialEpoch,
                stepsPerEpoch, batchSizeGiven, sampleWeight, classWeight);
    }
}
