package dev.memory64.safetensors;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * Jackson's streaming parser as {@link JsonTokens}, no object mapper: the reader of every document
 * that {@link JsonScanner} does not read, and of every refusal's message. Configured for input
 * bounded by its caller (a header of at most its limit, an index, a config file): no limit of its
 * own on string and name lengths beyond that, a shallow nesting limit, and property names not
 * interned into the JVM's string table. The factory's own table of names (which lets Jackson read
 * UTF-8 bytes directly, twice as fast on a cold JVM as decoding them to characters first) keeps at
 * most Jackson's 6,000 names between parses: a larger table is dropped, not kept.
 */
final class JacksonTokens extends JsonTokens {

    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .disable(TokenStreamFactory.Feature.INTERN_PROPERTY_NAMES)
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(Json.MAX_DEPTH)
                                    .maxStringLength(Integer.MAX_VALUE)
                                    .maxNameLength(Integer.MAX_VALUE)
                                    .maxDocumentLength(-1)
                                    .build())
                    .build();

    private final JsonParser json;

    private JacksonTokens(JsonParser json) {
        this.json = json;
    }

    @Override
    String currentName() {
        return json.currentName();
    }

    /**
     * Reads {@code bytes[offset, offset + length)} with a grammar; Jackson's refusal of malformed
     * JSON names the byte at fault counting from {@code base}.
     */
    static <T> T read(
            String file, byte[] bytes, int offset, int length, long base, Json.Grammar<T> grammar)
            throws SafetensorsFormatException {
        try (JsonParser json =
                FACTORY.createParser(ObjectReadContext.empty(), bytes, offset, length)) {
            return grammar.read(new JacksonTokens(json));
        } catch (JacksonException e) {
            throw refusal(file, e, base);
        }
    }

    @Override
    String getString() {
        return json.getString();
    }

    /** Jackson's refusal as a format exception: its reason and where, from {@code base}. */
    private static SafetensorsFormatException refusal(String file, JacksonException e, long base) {
        TokenStreamLocation at = e.getLocation();
        String where =
                at == null || at.getByteOffset() < 0
                        ? ""
                        : " at byte " + (base + at.getByteOffset());
        return new SafetensorsFormatException(
                file, null, "json", "not valid JSON" + where + ": " + e.getOriginalMessage());
    }

    @Override
    boolean isLong() {
        return json.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }

    @Override
    Token nextToken() {
        JsonToken t = json.nextToken();
        current = t == null ? null : token(t);
        return current;
    }

    @Override
    long getLongValue() {
        return json.getLongValue();
    }

    private static Token token(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> Token.START_OBJECT;
            case END_OBJECT -> Token.END_OBJECT;
            case START_ARRAY -> Token.START_ARRAY;
            case END_ARRAY -> Token.END_ARRAY;
            case PROPERTY_NAME -> Token.PROPERTY_NAME;
            case VALUE_STRING -> Token.VALUE_STRING;
            case VALUE_NUMBER_INT -> Token.VALUE_NUMBER_INT;
            case VALUE_NUMBER_FLOAT -> Token.VALUE_NUMBER_FLOAT;
            case VALUE_TRUE -> Token.VALUE_TRUE;
            case VALUE_FALSE -> Token.VALUE_FALSE;
            case VALUE_NULL -> Token.VALUE_NULL;
            // Neither comes from JSON text read whole: embedded objects, non-blocking input.
            case VALUE_EMBEDDED_OBJECT, NOT_AVAILABLE ->
                    throw new IllegalStateException("JSON token " + t);
        };
    }

    @Override
    double getDoubleValue() {
        return json.getDoubleValue();
    }

    @Override
    void skipChildren() {
        json.skipChildren();
    }
}
