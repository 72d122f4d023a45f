package dev.kiln.callbacks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file name with Python-style placeholders, as Keras' ModelCheckpoint takes it:
 * {@code "ckpt/model-{epoch:02d}-{val_loss:.2f}.kiln"}. A placeholder names a value ({@code epoch},
 * {@code batch} or any log key) and may carry a format spec of the form
 * {@code [sign][0][width][.precision][type]} with type {@code d}, {@code f}, {@code e}, {@code E},
 * {@code %} or none; {@code {{} and {@code }}} stand for literal braces. The template is checked
 * when it is created, so a typo fails before training starts.
 */
final class FilepathTemplate {
    private static final Pattern SPEC = Pattern.compile("([+\\- ]?)(0?)(\\d{0,3})(?:\\.(\\d{1,2}))?([dfeE%]?)");

    /** A literal piece of text or a placeholder. */
    private record Part(String literal, String key, String javaFormat, char type) {
    }

    private final String template;
    private final List<Part> parts = new ArrayList<>();

    FilepathTemplate(String template) {
        this.template = template;
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < template.length() && template.charAt(i + 1) == c) {
                literal.append(c);
                i += 2;
            } else if (c == '{') {
                int close = template.indexOf('}', i);
                if (close < 0) {
                    throw bad("an unclosed '{' at position " + i);
                }
                if (!literal.isEmpty()) {
                    parts.add(new Part(literal.toString(), null, null, ' '));
                    literal.setLength(0);
                }
                parts.add(placeholder(template.substring(i + 1, close)));
                i = close + 1;
            } else if (c == '}') {
                throw bad("a single '}' at position " + i + " (write '}}' for a literal brace)");
            } else {
                literal.append(c);
                i++;
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Part(literal.toString(), null, null, ' '));
        }
    }

    private Part placeholder(String body) {
        int colon = body.indexOf(':');
        String key = colon < 0 ? body : body.substring(0, colon);
        if (key.isEmpty()) {
            throw bad("an empty placeholder '{" + body + "}'; name a value such as {epoch} or {val_loss}");
        }
        if (colon < 0) {
            return new Part(null, key, null, 'g');
        }
        String spec = body.substring(colon + 1);
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw bad("format spec '" + spec + "' of {" + key + "}: expected [sign][0][width][.precision][type]"
                    + " with type d, f, e, E or %, e.g. {epoch:02d} or {val_loss:.4f}");
        }
        char type = m.group(5).isEmpty() ? 'g' : m.group(5).charAt(0);
        if (type == 'd' && m.group(4) != null) {
            throw bad("format spec '" + spec + "' of {" + key + "}: an integer takes no precision");
        }
        // Python's '-' sign is its default (a sign on negatives only), not Java's left-justify flag.
        String flags = m.group(1).replace("-", "") + m.group(2);
        String width = m.group(3);
        String precision = m.group(4) == null ? (type == 'g' ? "" : type == 'd' ? "" : ".6") : "." + m.group(4);
        String conversion = switch (type) {
            case 'd' -> "d";
            case '%' -> "f";
            case 'g' -> null;
            default -> String.valueOf(type);
        };
        String javaFormat = conversion == null ? null
                : "%" + flags + width + precision + conversion;
        return new Part(null, key, javaFormat, type);
    }

    /** The file name for these values; a placeholder with no value fails naming the ones there are. */
    String format(Map<String, ? extends Number> values) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p.literal() != null) {
                out.append(p.literal());
                continue;
            }
            Number value = values.get(p.key());
            if (value == null) {
                throw new IllegalArgumentException("cannot fill in the checkpoint file name '" + template
                        + "': there is no value '" + p.key() + "' at this point; available are " + values.keySet());
            }
            out.append(render(p, value));
        }
        return out.toString();
    }

    private String render(Part p, Number value) {
        switch (p.type()) {
            case 'd' -> {
                double v = value.doubleValue();
                if (v != Math.rint(v) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("{" + p.key() + ":d} in '" + template
                            + "' needs a whole number but the value is " + v);
                }
                return String.format(Locale.ROOT, p.javaFormat(), (long) v);
            }
            case '%' -> {
                return String.format(Locale.ROOT, p.javaFormat(), value.doubleValue() * 100) + "%";
            }
            case 'g' -> {
                if (p.javaFormat() == null) {
                    // No spec: Python's str(), integers without a fraction.
                    return value instanceof Integer || value instanceof Long ? value.toString()
                            : Double.toString(value.doubleValue());
                }
                return String.format(Locale.ROOT, p.javaFormat(), value.doubleValue());
            }
            default -> {
                return String.format(Locale.ROOT, p.javaFormat(), value.doubleValue());
            }
        }
    }

    private IllegalArgumentException bad(String problem) {
        return new IllegalArgumentException("checkpoint file name '" + template + "' has " + problem);
    }

    @Override
    public String toString() {
        return template;
    }
}
