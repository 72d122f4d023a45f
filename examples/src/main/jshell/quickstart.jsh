// A first session with Kiln: run it with ./kiln shell examples/src/main/jshell/quickstart.jsh
// (./kiln shell has already imported dev.kiln.*, Layers.* and FitOption.*)
Kiln.setSeed(42);
float[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
int[] y = {0, 1, 1, 0};
// JShell runs a line as soon as it is a complete statement, so a chained call must not start a line.
var model = Sequential.of(Input(2), Dense(8, "tanh"), Dense(1, "sigmoid")).compile(
        new dev.kiln.optimizers.Adam(0.05), "binary_crossentropy", "accuracy");
model.summary();
History h = model.fit(x, y, epochs(300), batchSize(4), verbose(0));
System.out.printf("final loss %.4f%n", h.last("loss"));
float[][] p = model.predict(x);
for (int i = 0; i < 4; i++) System.out.printf("xor(%.0f, %.0f) = %.2f%n", x[i][0], x[i][1], p[i][0]);
System.out.println("accuracy " + model.evaluate(x, y).get("accuracy"));
model.close();
