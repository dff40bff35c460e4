package dev.memory64.gguf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Strict UTF-8 checks: GGUF strings are UTF-8, and malformed bytes are an error, never '?'. */
final class Utf8 {

    private Utf8() {}

    /** A decoder that reports malformed input (overlong forms, surrogates, truncated sequences). */
    static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /**
     * Decodes strictly.
     *
     * @return the text, or null if the bytes are not valid UTF-8
     */
    static String decodeOrNull(CharsetDecoder decoder, byte[] bytes, int offset, int length) {
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Throws if the text holds an unpaired surrogate, which UTF-8 cannot encode. */
    static void checkEncodable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(
                        "string has an unpaired surrogate U+"
                                + Integer.toHexString(c).toUpperCase(Locale.ROOT)
                                + " at index "
                                + i
                                + ", which has no UTF-8 form");
            }
        }
    }
}
