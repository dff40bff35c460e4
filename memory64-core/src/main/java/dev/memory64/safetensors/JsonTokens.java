package dev.memory64.safetensors;

/**
 * The JSON tokens that this package's grammars read (a header, an index, a config file): from
 * {@link JsonScanner} for plain documents, from Jackson's streaming parser ({@link JacksonTokens})
 * for the rest. Names and calls follow Jackson's {@code JsonParser}, which the grammars were
 * written against.
 */
abstract class JsonTokens {

    /** A token, as Jackson's {@code JsonToken} names it. */
    enum Token {
        START_OBJECT,
        END_OBJECT,
        START_ARRAY,
        END_ARRAY,
        PROPERTY_NAME,
        VALUE_STRING,
        VALUE_NUMBER_INT,
        VALUE_NUMBER_FLOAT,
        VALUE_TRUE,
        VALUE_FALSE,
        VALUE_NULL
    }

    /** The token read last; null before the first and at the end of the input. */
    Token current;

    /**
     * Reads the next token.
     *
     * @return the token, or null at the end of the input
     */
    abstract Token nextToken();

    /** The name of the property whose name was read last. */
    abstract String currentName();

    /** The current token's text: a string's value, a number's digits, a literal, a bracket. */
    abstract String getString();

    /** Whether the current integer fits a {@code long}. */
    abstract boolean isLong();

    /** The current integer's value. */
    abstract long getLongValue();

    /** The current number's value as a {@code double}. */
    abstract double getDoubleValue();

    /**
     * Skips the object or array that the current token starts, to its end token (the current token
     * after this); does nothing if the current token starts neither.
     */
    void skipChildren() {
        if (current != Token.START_OBJECT && current != Token.START_ARRAY) {
            return;
        }
        int open = 1;
        while (open > 0) {
            Token t = nextToken();
            if (t == Token.START_OBJECT || t == Token.START_ARRAY) {
                open++;
            } else if (t == Token.END_OBJECT || t == Token.END_ARRAY) {
                open--;
            }
        }
    }
}
