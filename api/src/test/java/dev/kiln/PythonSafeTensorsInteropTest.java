package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.testing.Prerequisite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors files cross the language boundary both ways: a Python script writes one (with struct and
 * json, as the format's specification describes it; no safetensors package is assumed) and Kiln loads
 * it, and the same script's reader checks and decodes what Kiln wrote. Skipped without python3, except
 * under CI=true, where that fails ({@link Prerequisite}).
 */
class PythonSafeTensorsInteropTest {
    private static final String WRITER = """
            import json, struct, sys
            tensors = {  # name -> (shape, values); written in sorted order as the reference writer does
                "dense/bias": ([2], [0.5, -0.5]),
                "dense/kernel": ([3, 2], [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]),
                "dense_1/bias": ([1], [3.0]),
                "dense_1/kernel": ([2, 1], [-2.0, 1e-3]),
            }
            header, data, offset = {"__metadata__": {"format": "pt", "writer": "python"}}, b"", 0
            for name in sorted(tensors):
                shape, values = tensors[name]
                raw = struct.pack("<%df" % len(values), *values)
                header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
                data += raw
                offset += len(raw)
            text = json.dumps(header, separators=(",", ":")).encode()
            text += b" " * ((8 - len(text) % 8) % 8)
            with open(sys.argv[1], "wb") as f:
                f.write(struct.pack("<Q", len(text)) + text + data)
            """;

    private static final String READER = """
            import json, struct, sys
            blob = open(sys.argv[1], "rb").read()
            (n,) = struct.unpack("<Q", blob[:8])
            assert n % 8 == 0, "header not padded to 8 bytes"
            header = json.loads(blob[8:8 + n].decode("utf-8"))
            meta = header.pop("__metadata__", {})
            data = blob[8 + n:]
            out, end = {}, 0
            for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
                assert info["dtype"] == "F32", info
                b, e = info["data_offsets"]
                assert b == end, "gap or overlap at " + name
                count = 1
                for d in info["shape"]:
                    count *= d
                assert e - b == 4 * count, name
                out[name] = {"shape": info["shape"], "values": list(struct.unpack("<%df" % count, data[b:e]))}
                end = e
            assert end == len(data), "data does not end where the file ends"
            print(json.dumps({"metadata": meta, "tensors": out}))
            """;

    @TempDir
    Path dir;

    @Test
    void kilnLoadsWhatPythonWroteAndPythonReadsWhatKilnWrote() throws Exception {
        Prerequisite.require(python("import json, struct").exit == 0, "python3 is not available");
        Path writer = Files.writeString(dir.resolve("writer.py"), WRITER);
        Path reader = Files.writeString(dir.resolve("reader.py"), READER);
        Path fromPython = dir.resolve("from_python.safetensors");
        Result w = python(null, writer.toString(), fromPython.toString());
        assertEquals(0, w.exit, w.output);

        try (Model model = Sequential.of(Input(3), Dense(2, "relu"), Dense(1)).compile("sgd", "mse")) {
            model.loadWeights(fromPython);
            List<float[]> weights = model.getWeights();
            assertArrayEquals(new float[] {0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 1.25f}, weights.get(0));
            assertArrayEquals(new float[] {0.5f, -0.5f}, weights.get(1));
            assertArrayEquals(new float[] {-2.0f, 1e-3f}, weights.get(2));
            assertArrayEquals(new float[] {3.0f}, weights.get(3));

            model.setWeights(List.of(new float[] {1, -2, 3.5f, 4, 5, 6e-8f}, new float[] {7, 8},
                    new float[] {Float.MAX_VALUE, -0f}, new float[] {1f / 3}));
            Path fromKiln = dir.resolve("from_kiln.safetensors");
            model.saveWeights(fromKiln);
            Result r = python(null, reader.toString(), fromKiln.toString());
            assertEquals(0, r.exit, r.output);
            JsonNode parsed = new ObjectMapper().readTree(r.output);
            assertEquals("kiln", parsed.get("metadata").get("format").asText());
            JsonNode kernel = parsed.get("tensors").get("dense/kernel");
            assertEquals("[3,2]", kernel.get("shape").toString());
            List<float[]> expected = model.getWeights();
            String[] names = {"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"};
            for (int i = 0; i < names.length; i++) {
                JsonNode values = parsed.get("tensors").get(names[i]).get("values");
                float[] got = new float[values.size()];
                for (int j = 0; j < got.length; j++) {
                    got[j] = (float) values.get(j).asDouble();
                }
                assertArrayEquals(expected.get(i), got, names[i]);
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result python(String code, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("python3"));
        if (code != null) {
            command.add("-c");
            command.add(code);
        }
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(124, out);
        }
        return new Result(p.exitValue(), out);
    }
}
