package dev.memory64.internal;

import java.util.Locale;

/**
 * The one strict UTF-8 decoder: names from guests and strings from GGUF files are UTF-8, and
 * malformed bytes are an error, never '?'. Stateless and allocation-free until the string is made,
 * so one decoder serves every thread.
 */
public final class Utf8 {

    private Utf8() {}

    /**
     * Tells whether bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
     * nothing past U+10FFFF, no truncated sequence).
     *
     * @param bytes the array
     * @param offset the first byte
     * @param length how many bytes
     * @return true if every sequence is well formed
     */
    public static boolean isValid(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                if (b == 0xE0) {
                    lo = 0xA0; // no overlong three-byte forms
                } else if (b == 0xED) {
                    hi = 0x9F; // no surrogates
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                if (b == 0xF0) {
                    lo = 0x90; // no overlong four-byte forms
                } else if (b == 0xF4) {
                    hi = 0x8F; // nothing past U+10FFFF
                }
            } else {
                return false; // a continuation byte, an overlong lead (C0, C1) or F5..FF
            }
            if (need > end - i - 1) {
                return false;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= need; k++) {
                int c = bytes[i + k] & 0xFF;
                if (c < 0x80 || c > 0xBF) {
                    return false;
                }
            }
            i += need + 1;
        }
        return true;
    }

    /**
     * Throws if the text holds an unpaired surrogate, which UTF-8 cannot encode.
     *
     * @param text the text
     * @throws IllegalArgumentException naming the surrogate and its index
     */
    public static void checkEncodable(String text) {
        int i = unpairedSurrogate(text);
        if (i >= 0) {
            throw new IllegalArgumentException(
                    "string has an unpaired surrogate U+"
                            + Integer.toHexString(text.charAt(i)).toUpperCase(Locale.ROOT)
                            + " at index "
                            + i
                            + ", which has no UTF-8 form");
        }
    }

    /**
     * Returns the index of the text's first unpaired surrogate, which UTF-8 cannot encode.
     *
     * @param text the text
     * @return the index, or -1 if the text has a UTF-8 form
     */
    public static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
