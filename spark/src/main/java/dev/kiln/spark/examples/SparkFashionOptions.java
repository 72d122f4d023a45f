package dev.kiln.spark.examples;

/**
 * The command line of {@link SparkFashion}: {@code --master M} (default none: spark-submit's), {@code --data DIR}
 * (Parquet directory, default {@code spark-fashion}), {@code --epochs N} (5), {@code --batch B} (64, per
 * replica), {@code --partitions P} (2), {@code --steps-per-round S} (10), {@code --seed S} (42). {@code --model
 * spark} is accepted and ignored, for {@code ./kiln demo}.
 */
record SparkFashionOptions(String master, String data, int epochs, int batch, int partitions, int stepsPerRound,
        long seed) {

    static SparkFashionOptions parse(String[] args) {
        String master = null;
        String data = "spark-fashion";
        int epochs = 5;
        int batch = 64;
        int partitions = 2;
        int steps = 10;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--master" -> master = value;
                case "--data" -> data = value;
                case "--epochs" -> epochs = positive(flag, value);
                case "--batch" -> batch = positive(flag, value);
                case "--partitions" -> partitions = positive(flag, value);
                case "--steps-per-round" -> steps = positive(flag, value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--model" -> {
                    if (!value.equals("spark")) {
                        throw new IllegalArgumentException("this program is the spark demo, got --model " + value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + flag + "; options: --master, --data,"
                        + " --epochs, --batch, --partitions, --steps-per-round, --seed");
            }
        }
        return new SparkFashionOptions(master, data, epochs, batch, partitions, steps, seed);
    }

    private static int positive(String flag, String value) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a positive whole number, got '" + value + "'");
        }
        if (n <= 0) {
            throw new IllegalArgumentException(flag + " needs a positive whole number, got " + n);
        }
        return n;
    }
}
