package dev.kiln.core.memory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}. Parsing accepts exactly the
 * literals NumPy writes (single- or double-quoted strings, True/False, tuples of non-negative integers,
 * optional trailing commas, Python 2's {@code 3L}), in any key order, and nothing else: there is no
 * general Python evaluator here to be tricked.
 */
record NpyHeader(NpyDtype.Parsed dtype, String descr, boolean fortranOrder, int[] shape) {
    /** NumPy itself refuses headers above 10,000 bytes by default; a little slack for hand-made files. */
    static final int MAX_HEADER_BYTES = 65_536;


    String describeShape() {
        return describe(shape);
    }

    static String describe(int[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The dict NumPy writes for a little-endian float32 array, without padding. */
    static String format(int[] shape) {
        return "{'descr': '<f4', 'fortran_order': False, 'shape': " + describe(shape) + ", }";
    }

    static NpyHeader parse(String text, Path file) throws NpyFormatException {
        Map<String, Object> dict = new Parser(text, file).dict();
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new NpyFormatException(file, "header lacks the key '" + key + "': " + abbreviate(text));
            }
        }
        if (dict.size() != 3) {
            throw new NpyFormatException(file, "header has keys " + dict.keySet()
                    + "; expected exactly descr, fortran_order and shape");
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new NpyFormatException(file, "descr is " + dict.get("descr")
                    + "; structured dtypes are not supported, only a plain type string such as '<f4'");
        }
        NpyDtype.Parsed dtype = NpyDtype.parse(descr);
        if (dtype == null) {
            throw new NpyFormatException(file, "dtype '" + descr + "' is not supported; Kiln reads <f4, <f8, <i4,"
                    + " <i8 and |u1 (either byte order) and converts them to float32");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new NpyFormatException(file, "fortran_order is " + dict.get("fortran_order")
                    + "; expected True or False");
        }
        if (!(dict.get("shape") instanceof long[] dims)) {
            throw new NpyFormatException(file, "shape is " + dict.get("shape") + "; expected a tuple of integers");
        }
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new NpyFormatException(file, "dimension " + i + " of shape " + Arrays.toString(dims)
                        + " is larger than " + Integer.MAX_VALUE + ", the largest a Tensor axis can be");
            }
            shape[i] = (int) dims[i];
        }
        return new NpyHeader(dtype, descr, fortran, shape);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text.strip() : text.substring(0, 200) + "...";
    }

    /** A recursive-descent reader of the one dict literal a header holds. */
    private static final class Parser {
        private static final int MAX_RANK = 64; // NumPy's own limit (NPY_MAXDIMS) is 64 in NumPy 2

        private final String text;
        private final Path file;
        private int pos;

        Parser(String text, Path file) {
            this.text = text;
            this.file = file;
        }

        Map<String, Object> dict() throws NpyFormatException {
            expect('{');
            Map<String, Object> dict = new HashMap<>();
            while (!peekIs('}')) {
                String key = string();
                expect(':');
                Object value = value();
                if (dict.put(key, value) != null) {
                    throw error("the key '" + key + "' appears twice");
                }
                if (!peekIs('}')) {
                    expect(',');
                }
            }
            expect('}');
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected text after the closing brace");
            }
            return dict;
        }

        private Object value() throws NpyFormatException {
            skipSpace();
            if (pos >= text.length()) {
                throw error("the header ends where a value should be");
            }
            char c = text.charAt(pos);
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (text.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c == '[') {
                throw error("a list value: structured dtypes are not supported, only a plain type string such as '<f4'");
            }
            throw error("unexpected character '" + c + "'");
        }

        private String string() throws NpyFormatException {
            skipSpace();
            if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
                throw error("expected a quoted string");
            }
            char quote = text.charAt(pos++);
            int end = text.indexOf(quote, pos);
            if (end < 0) {
                throw error("a string is not closed");
            }
            String s = text.substring(pos, end);
            if (s.indexOf('\\') >= 0) {
                throw error("escape sequences are not expected in a header string");
            }
            pos = end + 1;
            return s;
        }

        private long[] tuple() throws NpyFormatException {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peekIs(')')) {
                if (dims.size() == MAX_RANK) {
                    throw error("a shape of more than " + MAX_RANK + " dimensions");
                }
                dims.add(integer());
                if (!peekIs(')')) {
                    expect(',');
                }
            }
            expect(')');
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer() throws NpyFormatException {
            skipSpace();
            int start = pos;
            long value = 0;
            while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
                value = value * 10 + (text.charAt(pos) - '0');
                if (value > Integer.MAX_VALUE * 4L) {
                    // Far past anything a Tensor axis can hold; stop before the long could overflow.
                    throw error("a dimension of more than " + (Integer.MAX_VALUE * 4L));
                }
                pos++;
            }
            if (pos == start) {
                throw error("expected a non-negative integer dimension");
            }
            if (pos < text.length() && text.charAt(pos) == 'L') {
                pos++; // written by Python 2
            }
            return value;
        }

        private void expect(char c) throws NpyFormatException {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private boolean peekIs(char c) throws NpyFormatException {
            skipSpace();
            if (pos >= text.length()) {
                throw error("the header ends too early");
            }
            return text.charAt(pos) == c;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private NpyFormatException error(String problem) {
            return new NpyFormatException(file, "malformed header at character " + pos + ": " + problem
                    + " in " + abbreviate(text));
        }
    }
}
