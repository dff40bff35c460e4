package dev.memory64.safetensors;

import dev.memory64.internal.Utf8;
import java.nio.charset.StandardCharsets;

/**
 * The tokens of a plain JSON document read straight from its UTF-8 bytes: strict JSON (RFC 8259),
 * as real headers, indexes and config files are written. It reads only what it can read exactly as
 * Jackson does, and stops with {@link Unsupported} at anything else: malformed JSON, nesting deeper
 * than {@value #MAX_DEPTH}, an integer of more than 18 digits, a number of more than 64 characters,
 * malformed UTF-8, a byte-order mark, a second value after the root. Its caller ({@link Json#read})
 * then reads the document again with Jackson, which gives every refusal its message. Where the
 * scanner reads a document, it reads the same tokens, names, strings and numbers as Jackson.
 *
 * <p>Why: Jackson's first use in a JVM loads and verifies about a hundred classes and runs its
 * parser interpreted, which was most of a sharded checkpoint's first open (docs/PERFORMANCE.md).
 */
final class JsonScanner extends JsonTokens {

    /** The deepest nesting read here; deeper documents are Jackson's ({@link Json#MAX_DEPTH}). */
    static final int MAX_DEPTH = 32;

    private static final int MAX_INT_DIGITS = 18;
    private static final int MAX_NUMBER_LENGTH = 64;

    /** Thrown where the scanner stops: Jackson reads the document instead. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(int at) {
            super("the JSON scanner stops at byte " + at, null, false, false);
        }
    }

    private final byte[] in;
    private final int end;
    private int at;

    /** How many objects and arrays are open. */
    private int depth;

    /** Bit {@code d} set: the container open at depth {@code d + 1} is an object. */
    private long objects;

    /** The innermost open container has a member or element already (so a comma comes next). */
    private boolean hasValue;

    /** A property name and its colon were read: its value comes next. */
    private boolean afterName;

    /** The root value has been read. */
    private boolean rootDone;

    private String name;
    private String text;
    private int tokenStart;
    private int tokenEnd;
    private long number;

    JsonScanner(byte[] bytes, int offset, int length) {
        this.in = bytes;
        this.at = offset;
        this.end = offset + length;
    }

    @Override
    Token nextToken() {
        int c = skipSpace();
        if (afterName) {
            afterName = false;
            return current = value(c);
        }
        if (depth == 0) {
            if (!rootDone) {
                return current = value(c);
            }
            if (c < 0) {
                return current = null;
            }
            throw stop();
        }
        boolean inObject = (objects & (1L << (depth - 1))) != 0;
        if (c == (inObject ? '}' : ']')) {
            at++;
            depth--;
            completed();
            return current = inObject ? Token.END_OBJECT : Token.END_ARRAY;
        }
        if (hasValue) {
            if (c != ',') {
                throw stop();
            }
            at++;
            c = skipSpace();
        }
        if (!inObject) {
            return current = value(c);
        }
        if (c != '"') {
            throw stop();
        }
        name = string(true);
        if (skipSpace() != ':') {
            throw stop();
        }
        at++;
        afterName = true;
        return current = Token.PROPERTY_NAME;
    }

    @Override
    String currentName() {
        return name;
    }

    @Override
    String getString() {
        if (current == null) {
            return null;
        }
        return switch (current) {
            case PROPERTY_NAME -> name;
            case VALUE_STRING, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> text;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> numberText();
            case START_OBJECT -> "{";
            case END_OBJECT -> "}";
            case START_ARRAY -> "[";
            case END_ARRAY -> "]";
        };
    }

    @Override
    boolean isLong() {
        return true;
    }

    @Override
    long getLongValue() {
        return number;
    }

    @Override
    double getDoubleValue() {
        return current == Token.VALUE_NUMBER_INT
                ? (double) number
                : Double.parseDouble(numberText());
    }

    private String numberText() {
        return new String(in, tokenStart, tokenEnd - tokenStart, StandardCharsets.ISO_8859_1);
    }

    private Unsupported stop() {
        return new Unsupported(at);
    }

    /** The next byte that is not JSON whitespace, unsigned; -1 at the end. */
    private int skipSpace() {
        while (at < end) {
            int c = in[at] & 0xFF;
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c;
            }
            at++;
        }
        return -1;
    }

    /** A value, starting with {@code c}. */
    private Token value(int c) {
        return switch (c) {
            case '{' -> open(true);
            case '[' -> open(false);
            case '"' -> stringValue();
            case 't' -> literal("true", Token.VALUE_TRUE);
            case 'f' -> literal("false", Token.VALUE_FALSE);
            case 'n' -> literal("null", Token.VALUE_NULL);
            default -> {
                if (c != '-' && (c < '0' || c > '9')) {
                    throw stop();
                }
                yield number();
            }
        };
    }

    private Token stringValue() {
        text = string(false);
        completed();
        return Token.VALUE_STRING;
    }

    private Token open(boolean object) {
        if (depth == MAX_DEPTH) {
            throw stop();
        }
        at++;
        objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
        depth++;
        hasValue = false;
        return object ? Token.START_OBJECT : Token.START_ARRAY;
    }

    /** A value is complete: in its container, or as the root. */
    private void completed() {
        if (depth == 0) {
            rootDone = true;
        } else {
            hasValue = true;
        }
    }

    private Token literal(String word, Token token) {
        int n = word.length();
        if (n > end - at) {
            throw stop();
        }
        for (int i = 0; i < n; i++) {
            if (in[at + i] != word.charAt(i)) {
                throw stop();
            }
        }
        at += n;
        delimited();
        text = word;
        completed();
        return token;
    }

    /** A number or a literal ends at whitespace, a comma, a closing bracket or the input's end. */
    private void delimited() {
        if (at < end) {
            byte c = in[at];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != ',' && c != ']'
                    && c != '}') {
                throw stop();
            }
        }
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, as JSON has it. */
    private Token number() {
        tokenStart = at;
        boolean negative = in[at] == '-';
        if (negative) {
            at++;
        }
        int first = at;
        if (at < end && in[at] == '0') {
            at++;
        } else if (at < end && in[at] >= '1' && in[at] <= '9') {
            skipDigits();
        } else {
            throw stop();
        }
        int digits = at - first;
        boolean integer = true;
        if (at < end && in[at] == '.') {
            at++;
            requireDigits();
            integer = false;
        }
        if (at < end && (in[at] == 'e' || in[at] == 'E')) {
            at++;
            if (at < end && (in[at] == '+' || in[at] == '-')) {
                at++;
            }
            requireDigits();
            integer = false;
        }
        delimited();
        completed();
        tokenEnd = at;
        if (!integer) {
            if (at - tokenStart > MAX_NUMBER_LENGTH) {
                throw stop();
            }
            return Token.VALUE_NUMBER_FLOAT;
        }
        if (digits > MAX_INT_DIGITS) {
            throw stop();
        }
        long value = 0;
        for (int i = first; i < at; i++) {
            value = value * 10 + (in[i] - '0');
        }
        number = negative ? -value : value;
        return Token.VALUE_NUMBER_INT;
    }

    private void skipDigits() {
        while (at < end && in[at] >= '0' && in[at] <= '9') {
            at++;
        }
    }

    private void requireDigits() {
        int from = at;
        skipDigits();
        if (at == from) {
            throw stop();
        }
    }

    /**
     * A string whose opening quote is at {@code at}; {@code at} ends past its closing quote.
     * Jackson refuses an escaped surrogate in a name (paired or not) and reads one in a value: so
     * does this.
     */
    private String string(boolean isName) {
        int start = at + 1;
        for (int i = start; i < end; i++) {
            byte b = in[i];
            if (b == '"') {
                at = i + 1;
                return new String(in, start, i - start, StandardCharsets.ISO_8859_1);
            }
            if (b == '\\' || b < 0x20) {
                // An escape, a control character, or a byte of a multi-byte character.
                return escaped(start, i, isName);
            }
        }
        throw stop();
    }

    /** The rest of a string from {@code from}, with escapes and UTF-8 decoded. */
    private String escaped(int start, int from, boolean isName) {
        StringBuilder out = new StringBuilder(from - start + 16);
        int run = start;
        int i = from;
        while (true) {
            if (i >= end) {
                throw stop();
            }
            int b = in[i] & 0xFF;
            if (b == '"') {
                appendUtf8(out, run, i);
                at = i + 1;
                return out.toString();
            }
            if (b < 0x20) {
                throw stop();
            }
            if (b != '\\') {
                i++;
                continue;
            }
            appendUtf8(out, run, i);
            if (end - i < 2) {
                throw stop();
            }
            int escape = in[i + 1];
            i += 2;
            switch (escape) {
                case '"', '\\', '/' -> out.append((char) escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (end - i < 4) {
                        throw stop();
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        code = code << 4 | hex(in[i + k]);
                    }
                    if (isName
                            && code >= Character.MIN_SURROGATE
                            && code <= Character.MAX_SURROGATE) {
                        throw stop();
                    }
                    out.append((char) code);
                    i += 4;
                }
                default -> throw stop();
            }
            run = i;
        }
    }

    private int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw stop();
    }

    private void appendUtf8(StringBuilder out, int from, int to) {
        if (!Utf8.isValid(in, from, to - from)) {
            throw stop();
        }
        out.append(new String(in, from, to - from, StandardCharsets.UTF_8));
    }
}
