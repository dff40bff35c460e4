package dev.memory64.llama;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for the few configuration files a converter reads: an object is a
 * {@code Map<String, Object>} in document order, an array a {@code List<Object>}, a string a {@code
 * String}, a number a {@code Long} when it is an integer that fits, else a {@code BigDecimal},
 * {@code true}/{@code false} a {@code Boolean}, {@code null} {@link #NULL}. Anything else fails
 * with the offset: a duplicate key, a leading zero, a raw control character or a lone surrogate
 * escape in a string, trailing text, nesting deeper than 512.
 */
final class Json {
    /** JSON's {@code null}, so that a map's {@code get} returning {@code null} means absent. */
    static final Object NULL = new Object();

    private static final int MAX_DEPTH = 512;

    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses a whole document.
     *
     * @param text the document
     * @return its value
     * @throws IllegalArgumentException if it is not one valid JSON value
     */
    static Object parse(String text) {
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value(0);
        json.skipSpace();
        if (json.at != text.length()) {
            throw json.error("text after the value");
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        if (at >= text.length()) {
            throw error("end of text where a value was expected");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object(int depth) {
        at++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            at++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("a key (a string) expected");
            }
            int keyAt = at;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (map.putIfAbsent(key, value(depth + 1)) != null) {
                at = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return Collections.unmodifiableMap(map);
            }
        }
    }

    private List<Object> array(int depth) {
        at++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            at++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect(']');
                return Collections.unmodifiableList(list);
            }
        }
    }

    private String string() {
        at++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                break;
            } else if (c < 0x20) {
                at--;
                throw error("raw control character U+" + hex4(c) + " in a string");
            } else if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (at >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(at++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hexEscape();
                    if (Character.isHighSurrogate(u)) {
                        if (!text.startsWith("\\u", at)) {
                            throw error("a high surrogate escape without its low surrogate");
                        }
                        at += 2;
                        char low = hexEscape();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("a high surrogate escape without its low surrogate");
                        }
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw error("a lone low surrogate escape");
                    } else {
                        sb.append(u);
                    }
                }
                default -> {
                    at--;
                    throw error("invalid escape \\" + e);
                }
            }
        }
        String s = sb.toString();
        for (int i = 0; i < s.length(); i++) { // a raw lone surrogate in the text itself
            char c = s.charAt(i);
            if (Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(++i)))) {
                throw error("a lone surrogate in a string");
            }
        }
        return s;
    }

    private char hexEscape() {
        if (at + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(at + i), 16);
            if (d < 0 || text.charAt(at + i) > 'f') {
                throw error("invalid \\u escape");
            }
            v = v << 4 | d;
        }
        at += 4;
        return (char) v;
    }

    private Object number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            throw error("a digit expected");
        }
        boolean integer = true;
        if (peek() == '.') {
            at++;
            integer = false;
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("a digit expected after '.'");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            integer = false;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("a digit expected in the exponent");
            }
            digits();
        }
        String s = text.substring(start, at);
        if (integer) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException tooLarge) {
                return new BigDecimal(s);
            }
        }
        return new BigDecimal(s);
    }

    private void digits() {
        while (peek() >= '0' && peek() <= '9') {
            at++;
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error("unexpected word");
        }
        at += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        at++;
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private static String hex4(int c) {
        return String.format(java.util.Locale.ROOT, "%04X", c);
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON: " + what + " at offset " + at);
    }
}
