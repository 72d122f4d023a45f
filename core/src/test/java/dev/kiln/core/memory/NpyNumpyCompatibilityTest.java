package dev.kiln.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.testing.Prerequisite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files travel between Kiln and the real NumPy in both directions. Skipped where {@code python3} with
 * numpy is not installed, except under CI=true, where that fails ({@link Prerequisite}).
 */
class NpyNumpyCompatibilityTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsNumpy() {
        Prerequisite.require(python("import numpy").exitCode == 0, "python3 with numpy is not installed");
    }

    @Test
    void kilnReadsWhatNumpySaves() throws IOException {
        String script = """
                import numpy as np, sys
                from numpy.lib import format as fmt
                d = sys.argv[1]
                def values(shape, dtype):
                    n = int(np.prod(shape))
                    if np.dtype(dtype).kind == 'u':
                        return (np.arange(n) % 256).astype(dtype).reshape(shape)
                    return (np.arange(n, dtype=np.float64) * 0.25 - 2).astype(dtype).reshape(shape)
                for dtype in ['<f4', '>f4', '<f8', '<i4', '<i8', '|u1']:
                    name = dtype.replace('<', 'le').replace('>', 'be').replace('|', '')
                    np.save(f'{d}/{name}.npy', values((3, 5), dtype))
                np.save(f'{d}/vector.npy', values((7,), '<f4'))
                np.save(f'{d}/scalar.npy', np.float32(-2))
                np.save(f'{d}/cube.npy', values((2, 3, 4), '<f4'))
                np.save(f'{d}/fortran.npy', np.asfortranarray(values((2, 3, 4), '<f4')))
                for v in [(2, 0), (3, 0)]:
                    with open(f'{d}/version{v[0]}.npy', 'wb') as f:
                        fmt.write_array(f, values((3, 5), '<f4'), version=v)
                """;
        run(script);
        for (String name : new String[] {"lef4", "bef4", "lef8", "lei4", "lei8", "u1", "version2", "version3"}) {
            Tensor t = Tensor.fromNpy(dir.resolve(name + ".npy"));
            assertArrayEquals(new int[] {3, 5}, t.shape(), name);
            assertArrayEquals(expected(15, name.equals("u1"), name.startsWith("lei")), t.toArray(), name);
        }
        assertArrayEquals(new int[] {7}, Tensor.fromNpy(dir.resolve("vector.npy")).shape());
        Tensor scalar = Tensor.fromNpy(dir.resolve("scalar.npy"));
        assertEquals(0, scalar.rank());
        assertEquals(-2f, scalar.get(0));
        for (String name : new String[] {"cube", "fortran"}) {
            Tensor t = Tensor.fromNpy(dir.resolve(name + ".npy"));
            assertArrayEquals(new int[] {2, 3, 4}, t.shape(), name);
            assertArrayEquals(expected(24, false, false), t.toArray(), name);
        }
    }

    @Test
    void numpyLoadsWhatKilnWrites() throws IOException {
        Tensor.of(expected(15, false, false), 3, 5).toNpy(dir.resolve("matrix.npy"));
        Tensor.of(expected(7, false, false), 7).toNpy(dir.resolve("vector.npy"));
        Tensor.of(expected(24, false, false), 2, 3, 4).toNpy(dir.resolve("cube.npy"));
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE,
            Float.MAX_VALUE, 0.1f};
        Tensor.of(special, special.length).toNpy(dir.resolve("special.npy"));
        String script = """
                import numpy as np, sys
                d = sys.argv[1]
                def check(name, shape):
                    a = np.load(f'{d}/{name}.npy', allow_pickle=False)
                    assert a.dtype == np.float32, (name, a.dtype)
                    assert a.shape == shape, (name, a.shape)
                    assert a.flags['C_CONTIGUOUS']
                    want = (np.arange(a.size, dtype=np.float64) * 0.25 - 2).astype(np.float32).reshape(shape)
                    assert np.array_equal(a, want), (name, a)
                check('matrix', (3, 5))
                check('vector', (7,))
                check('cube', (2, 3, 4))
                s = np.load(f'{d}/special.npy')
                want = np.array([np.nan, np.inf, -np.inf, -0.0, 1.4e-45, 3.4028235e38, 0.1], dtype=np.float32)
                assert s.view(np.uint32)[1:].tolist() == want.view(np.uint32)[1:].tolist(), s
                assert np.isnan(s[0])
                with open(f'{d}/matrix.npy', 'rb') as f:
                    major, minor = np.lib.format.read_magic(f)
                    assert (major, minor) == (1, 0)
                    np.lib.format.read_array_header_1_0(f)
                    assert f.tell() % 64 == 0, f.tell()
                print('numpy agrees')
                """;
        assertEquals("numpy agrees", run(script).strip());
    }

    /** index × 0.25 − 2 (integers truncate towards zero as astype does), or index mod 256 for uint8. */
    private static float[] expected(int n, boolean uint8, boolean integer) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double v = i * 0.25 - 2;
            out[i] = uint8 ? i % 256 : integer ? (float) (long) v : (float) v;
        }
        return out;
    }

    private String run(String script) {
        Result result = python(script, dir.toString());
        assertEquals(0, result.exitCode, "python failed:\n" + result.output);
        return result.output;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result python(String script, String... args) {
        String[] command = new String[3 + args.length];
        command[0] = "python3";
        command[1] = "-c";
        command[2] = script;
        System.arraycopy(args, 0, command, 3, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }
}
