package dev.memory64.model;

import java.util.Locale;

/** Text for messages about a model's names. */
public final class ModelText {

    private ModelText() {}

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
}
