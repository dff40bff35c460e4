package dev.memory64.model;

import java.util.Locale;

/** Text for messages about a model's names. */
public final class ModelText {

    private ModelText() {}

    /**
     * Refuses a maximum header size outside {@code [min, max]}.
     *
     * @param prefix the message's start, naming the value (the value follows it)
     * @param maxHeaderSize the size asked for
     * @param min the smallest size allowed
     * @param max the largest size allowed
     * @throws IllegalArgumentException if {@code maxHeaderSize} is outside {@code [min, max]}
     */
    public static void checkMaxHeaderSize(String prefix, long maxHeaderSize, long min, long max) {
        if (maxHeaderSize < min || maxHeaderSize > max) {
            throw new IllegalArgumentException(
                    prefix + maxHeaderSize + " is not in [" + min + ", " + max + "]");
        }
    }

    /**
     * Quotes a name for a message, escaping quotes and control characters, at most ~100 chars.
     *
     * @param text the name
     * @return the name in double quotes
     */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 100) + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            if (i == 100) {
                out.append("...");
                break;
            }
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * Appends {@code 0000K-of-0000N}: a part's number and its set's count as shard and region names
     * give them (five digits each, more where a number needs them).
     *
     * @param out where the text goes
     * @param index the part, from 0
     * @param count how many parts the set has
     * @return {@code out}
     */
    public static StringBuilder partOf(StringBuilder out, int index, int count) {
        // By hand, not String.format: a cold JVM's first Formatter (its locale data, its regular
        // expressions) costs a first open tens of milliseconds.
        fiveDigits(out, index + 1);
        out.append("-of-");
        fiveDigits(out, count);
        return out;
    }

    private static void fiveDigits(StringBuilder out, int value) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < 5; i++) {
            out.append('0');
        }
        out.append(digits);
    }
}
