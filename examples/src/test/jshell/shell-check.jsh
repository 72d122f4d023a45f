// Run by `./kiln test` after the unit tests: proves that a JShell session started by `./kiln shell`
// sees Kiln and trains. Each check prints one line that the launcher looks for; a failed check
// throws, which JShell reports as "|  Exception", and the launcher fails on that.
Kiln.setSeed(7);
float[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
int[] y = {0, 1, 1, 0};
var model = Sequential.of(Input(2), Dense(8, "tanh"), Dense(1, "sigmoid")).compile(
        new dev.kiln.optimizers.Adam(0.05), "binary_crossentropy", "accuracy");
History h = model.fit(x, y, epochs(300), batchSize(4), verbose(0));
double accuracy = model.evaluate(x, y).get("accuracy");
if (accuracy != 1.0) throw new AssertionError("xor accuracy " + accuracy + ", expected 1.0");
System.out.println("check xor accuracy: " + accuracy);
if (!(h.last("loss") < h.history().get("loss").get(0))) throw new AssertionError("loss did not fall");
System.out.println("check loss fell: " + (h.last("loss") < h.history().get("loss").get(0)));
model.close();
try { model.predict(x); System.out.println("check closed model refused: false"); } catch (IllegalStateException e) { System.out.println("check closed model refused: true"); }
System.out.println("shell check passed");
