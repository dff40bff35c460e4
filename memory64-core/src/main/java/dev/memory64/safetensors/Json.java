package dev.memory64.safetensors;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * The one JSON reader of this package: Jackson's streaming parser, no object mapper, configured for
 * input bounded by its caller (a header of at most its limit, an index, a config file): no limit of
 * its own on string and name lengths beyond that, a shallow nesting limit, and property names not
 * interned into the JVM's string table. The factory's own table of names (which lets Jackson read
 * UTF-8 bytes directly, twice as fast on a cold JVM as decoding them to characters first) keeps at
 * most Jackson's 6,000 names between parses: a larger table is dropped, not kept.
 */
final class Json {

    /** Deeper than any of the three grammars read here; skipped values may nest this far. */
    static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .disable(TokenStreamFactory.Feature.INTERN_PROPERTY_NAMES)
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(MAX_DEPTH)
                                    .maxStringLength(Integer.MAX_VALUE)
                                    .maxNameLength(Integer.MAX_VALUE)
                                    .maxDocumentLength(-1)
                                    .build())
                    .build();

    private Json() {}

    /** A parser over {@code bytes[offset, offset + length)}. */
    static JsonParser parser(byte[] bytes, int offset, int length) {
        return FACTORY.createParser(ObjectReadContext.empty(), bytes, offset, length);
    }

    /** Jackson's refusal as a format exception: its reason and where, from {@code base}. */
    static SafetensorsFormatException refusal(String file, JacksonException e, long base) {
        TokenStreamLocation at = e.getLocation();
        String where =
                at == null || at.getByteOffset() < 0
                        ? ""
                        : " at byte " + (base + at.getByteOffset());
        return new SafetensorsFormatException(
                file, null, "json", "not valid JSON" + where + ": " + e.getOriginalMessage());
    }
}
