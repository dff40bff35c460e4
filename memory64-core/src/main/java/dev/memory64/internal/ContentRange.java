package dev.memory64.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ranged answer's {@code Content-Range: bytes first-last/total}, read once for every transport
 * that fetches ranges (HTTP, S3), so that they refuse the same answers in the same words.
 *
 * @param first the first byte sent
 * @param last the last byte sent
 * @param total the object's size, or {@link #UNKNOWN} for {@code *}
 */
public record ContentRange(long first, long last, long total) {

    /** The total of a header that gives none ({@code bytes 0-9/*}). */
    public static final long UNKNOWN = -1;

    private static final Pattern SYNTAX =
            Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)", Pattern.CASE_INSENSITIVE);

    /**
     * Reads a header's value.
     *
     * @param header the value, or null if the answer has none
     * @return the range, or null if the value is not a satisfied byte range whose numbers fit in a
     *     long
     */
    public static ContentRange parse(String header) {
        Matcher m = header == null ? null : SYNTAX.matcher(header);
        if (m == null || !m.matches()) {
            return null;
        }
        try {
            long total = m.group(3).equals("*") ? UNKNOWN : Long.parseLong(m.group(3));
            return new ContentRange(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), total);
        } catch (NumberFormatException e) {
            return null; // more digits than a long holds: no range this library asked for
        }
    }

    /**
     * Returns whether this is exactly the range asked for.
     *
     * @param offset the first byte asked for
     * @param len how many bytes (at least one)
     * @return whether the answer sent those bytes and no others
     */
    public boolean isExactly(long offset, long len) {
        return first == offset && last == offset + len - 1;
    }

    /**
     * Returns whether this names an object size other than the pinned one: the object changed.
     *
     * @param size the pinned size
     * @return true if the total is given and differs
     */
    public boolean namesOtherSize(long size) {
        return total != UNKNOWN && total != size;
    }

    /**
     * The refusal of an answer whose header is not the range asked for.
     *
     * @param header the header's value as the answer gave it
     * @param offset the first byte asked for
     * @param len how many bytes
     * @param size the pinned size
     * @return {@code the answer's Content-Range "…" is not bytes a-b/size}
     */
    public static String notExactly(String header, long offset, long len, long size) {
        return "the answer's Content-Range \""
                + header
                + "\" is not bytes "
                + offset
                + "-"
                + (offset + len - 1)
                + "/"
                + size;
    }
}
