package dev.kiln.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.core.memory.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file, parsed as a stream of tokens and checked as it goes: a
 * header describing more than {@link SafeTensors#MAX_TENSORS} tensors is refused when the one too
 * many is met, not after a tree of a million objects has been built. Every tensor must be F32 with
 * a shape of at most {@link SafeTensors#MAX_DIMENSIONS} dimensions matching its byte range, and the
 * ranges must tile the data exactly. The writer runs the same checks on what it is about to write.
 */
final class SafeTensorsHeader {
    /** A tensor as the header describes it, before its bytes are read. */
    record Info(String name, int[] shape, int count, long begin, long end) {
    }

    private final String source;
    final Map<String, String> metadata = new LinkedHashMap<>();
    /** In header order. */
    final List<Info> tensors = new ArrayList<>();

    private SafeTensorsHeader(String source) {
        this.source = source;
    }

    /** Parses and checks {@code json}, a header followed by {@code dataLength} bytes of tensor data. */
    static SafeTensorsHeader parse(byte[] json, long dataLength, String source) throws ModelFormatException {
        SafeTensorsHeader header = new SafeTensorsHeader(source);
        if (json.length == 0 || json[0] != '{') {
            throw header.fail("the header does not start with '{': not a safetensors file");
        }
        try (JsonParser p = SafeTensors.JSON.createParser(json)) {
            header.readObject(p);
        } catch (ModelFormatException e) {
            throw e;
        } catch (JacksonException e) {
            throw header.fail("the header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw header.fail("the header is unreadable: " + e.getMessage());
        }
        header.checkLayout(dataLength);
        return header;
    }

    private void readObject(JsonParser p) throws IOException {
        p.nextToken(); // '{', checked above
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals(SafeTensors.METADATA_KEY)) {
                readMetadata(p);
            } else if (tensors.size() == SafeTensors.MAX_TENSORS) {
                throw fail("the header describes more than " + SafeTensors.MAX_TENSORS + " tensors, the most Kiln"
                        + " reads (SafeTensors.MAX_TENSORS)");
            } else {
                tensors.add(readTensor(name, p));
            }
        }
        if (p.nextToken() != null) {
            throw fail("the header is not valid JSON: something follows its closing '}'");
        }
    }

    private void readMetadata(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail(SafeTensors.METADATA_KEY + " must be an object of strings, found " + kind(p.currentToken()));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (metadata.size() == SafeTensors.MAX_METADATA_ENTRIES) {
                throw fail(SafeTensors.METADATA_KEY + " holds more than " + SafeTensors.MAX_METADATA_ENTRIES
                        + " metadata entries, the most Kiln reads (SafeTensors.MAX_METADATA_ENTRIES)");
            }
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw fail(SafeTensors.METADATA_KEY + " value '" + Abbreviated.name(key) + "' must be a string, found "
                        + kind(p.currentToken()));
            }
            metadata.put(key, p.getText());
        }
    }

    private Info readTensor(String fullName, JsonParser p) throws IOException {
        String name = Abbreviated.name(fullName); // for messages
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail("tensor '" + name + "' must be described by an object, found " + kind(p.currentToken()));
        }
        String dtype = null;
        int[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw fail("tensor '" + name + "' has no dtype string");
                    }
                    dtype = Abbreviated.name(p.getText());
                }
                case "shape" -> shape = readShape(name, p);
                case "data_offsets" -> offsets = readOffsets(name, p);
                default -> p.skipChildren(); // other fields say nothing Kiln needs
            }
        }
        if (dtype == null) {
            throw fail("tensor '" + name + "' has no dtype string");
        }
        if (!dtype.equals("F32")) {
            throw fail("tensor '" + name + "' has dtype " + dtype
                    + "; Kiln reads only F32 tensors (in PyTorch, save tensor.float())");
        }
        if (shape == null) {
            throw needsShape(name);
        }
        if (offsets == null) {
            throw fail("tensor '" + name + "' needs data_offsets: [begin, end] as two integers");
        }
        long count = 1;
        for (int d : shape) {
            count *= d;
            if (count > Tensor.MAX_ARRAY_LENGTH) {
                throw fail("tensor '" + name + "' of shape " + Arrays.toString(shape) + " has more than "
                        + Tensor.MAX_ARRAY_LENGTH + " values, the most a Java array holds");
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw fail("tensor '" + name + "' has data_offsets " + Arrays.toString(offsets)
                    + "; expected 0 <= begin <= end");
        }
        if (end - begin != count * Float.BYTES) {
            throw fail("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs " + count * Float.BYTES
                    + " bytes but its data_offsets " + Arrays.toString(offsets) + " span " + (end - begin));
        }
        return new Info(fullName, shape, (int) count, begin, end);
    }

    private int[] readShape(String name, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw needsShape(name);
        }
        int[] shape = new int[SafeTensors.MAX_DIMENSIONS];
        int rank = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (rank == shape.length) {
                throw needsShape(name);
            }
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                    || p.getIntValue() < 0) {
                throw fail("tensor '" + name + "' has dimension " + Abbreviated.name(p.getText())
                        + " in its shape; expected an integer >= 0");
            }
            shape[rank++] = p.getIntValue();
        }
        return Arrays.copyOf(shape, rank);
    }

    private ModelFormatException needsShape(String name) {
        return fail("tensor '" + name + "' needs a shape: an array of at most " + SafeTensors.MAX_DIMENSIONS
                + " dimensions");
    }

    private long[] readOffsets(String name, JsonParser p) throws IOException {
        long[] offsets = new long[2];
        int found = 0;
        boolean valid = p.currentToken() == JsonToken.START_ARRAY;
        while (valid && p.nextToken() != JsonToken.END_ARRAY) {
            valid = found < 2 && p.currentToken() == JsonToken.VALUE_NUMBER_INT
                    && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
            if (valid) {
                offsets[found++] = p.getLongValue();
            }
        }
        if (!valid || found != 2) {
            throw fail("tensor '" + name + "' needs data_offsets: [begin, end] as two integers");
        }
        return offsets;
    }

    /** The ranges must tile [0, dataLength) exactly, in some order: no gap, no overlap, nothing after. */
    private void checkLayout(long dataLength) throws ModelFormatException {
        List<Info> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expected = 0;
        for (Info info : sorted) {
            if (info.begin() != expected) {
                throw fail("tensor '" + Abbreviated.name(info.name()) + "' starts at byte " + info.begin()
                        + " of the data but " + (info.begin() < expected ? "the previous tensor ends at " : "the data before it ends at ")
                        + expected + " (tensors must not overlap or leave gaps)");
            }
            expected = info.end();
        }
        if (expected != dataLength) {
            throw fail("the tensors hold " + expected + " bytes but the file has " + dataLength
                    + " bytes of data after its header" + (expected > dataLength ? " (truncated?)" : ""));
        }
    }

    /** A token's kind in the words of Jackson's JsonNodeType, as messages have always named them. */
    private static String kind(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "OBJECT";
            case START_ARRAY -> "ARRAY";
            case VALUE_STRING -> "STRING";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "NUMBER";
            case VALUE_TRUE, VALUE_FALSE -> "BOOLEAN";
            case VALUE_NULL -> "NULL";
            default -> String.valueOf(token);
        };
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(source, problem);
    }
}
