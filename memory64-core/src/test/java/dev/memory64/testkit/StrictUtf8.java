package dev.memory64.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The JDK's own strict UTF-8 decoding: the reference the project's decoders are tested against. */
public final class StrictUtf8 {

    private StrictUtf8() {}

    /**
     * Decodes with a JDK decoder that reports malformed input instead of replacing it.
     *
     * @param bytes the bytes
     * @return the text, or null if the bytes are not well-formed UTF-8
     */
    public static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
