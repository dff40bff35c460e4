package dev.memory64.safetensors;

/**
 * The one JSON reader of this package: a grammar reads a document's tokens from {@link
 * JsonScanner}, and where the scanner stops, or the grammar refuses what it read, from Jackson's
 * streaming parser ({@link JacksonTokens}) from the start. So a plain document never loads Jackson,
 * and every refusal, of malformed JSON or of a broken rule, is the one Jackson's tokens give.
 */
final class Json {

    /** Deeper than any of the three grammars read here; skipped values may nest this far. */
    static final int MAX_DEPTH = 64;

    private Json() {}

    /**
     * A grammar over JSON tokens: a named class, not a lambda (a first open spins none). It may run
     * twice on one document, so it keeps nothing from a run that failed.
     *
     * @param <T> what it reads
     */
    interface Grammar<T> {
        /** Reads the document from its first token. */
        T read(JsonTokens json) throws SafetensorsFormatException;
    }

    /**
     * Reads {@code bytes[offset, offset + length)} with a grammar.
     *
     * @param file the document's name in refusals
     * @param base the offset of {@code bytes[offset]} in the file, for refusals of malformed JSON
     */
    static <T> T read(
            String file, byte[] bytes, int offset, int length, long base, Grammar<T> grammar)
            throws SafetensorsFormatException {
        try {
            return grammar.read(new JsonScanner(bytes, offset, length));
        } catch (JsonScanner.Unsupported | SafetensorsFormatException e) {
            // Read again below: Jackson reads what the scanner does not and words every refusal.
        }
        return JacksonTokens.read(file, bytes, offset, length, base, grammar);
    }
}
