package dev.memory64.gguf;

import java.util.Locale;

/** Strict UTF-8 checks: GGUF strings are UTF-8, and malformed bytes are an error, never '?'. */
final class Utf8 {

    private Utf8() {}

    /**
     * Tells whether bytes are well-formed UTF-8 (Unicode's definition, as the JDK's decoder with
     * malformed input reported: no overlong forms, no surrogates, nothing past U+10FFFF, no
     * truncated sequence). Allocates nothing.
     */
    static boolean isValid(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xFF;
            int need;
            int low = 0x80;
            int high = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                if (b == 0xE0) {
                    low = 0xA0;
                } else if (b == 0xED) {
                    high = 0x9F;
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                if (b == 0xF0) {
                    low = 0x90;
                } else if (b == 0xF4) {
                    high = 0x8F;
                }
            } else {
                return false;
            }
            if (need > end - i - 1) {
                return false;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < low || second > high) {
                return false;
            }
            for (int k = 2; k <= need; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += need + 1;
        }
        return true;
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
