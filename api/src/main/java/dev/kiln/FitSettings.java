package dev.kiln;

import dev.kiln.callbacks.Callback;
import java.util.ArrayList;
import java.util.List;

/** The {@link FitOption}s of one fit call with Keras' defaults filled in. */
record FitSettings(int epochs, int batchSize, boolean shuffle, double validationSplit,
        FitOption.ValidationData validationData, int verbose, List<Callback> callbacks, int initialEpoch,
        int stepsPerEpoch, boolean batchSizeGiven) {

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
            }
        }
        return new FitSettings(epochs, batchSize, shuffle, split, data, verbose, List.copyOf(callbacks), initialEpoch,
                stepsPerEpoch, batchSizeGiven);
    }
}
