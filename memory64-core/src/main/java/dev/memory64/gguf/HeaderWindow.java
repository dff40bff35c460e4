package dev.memory64.gguf;

import dev.memory64.internal.Utf8;
import dev.memory64.model.HeaderSource;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a GGUF header as {@link GgufParser} reads them: a cursor over the file, the
 * primitives and checked strings at it, and every check that a count or a length fits in the file
 * and under the header size limit before it is used. The grammar is the parser's.
 *
 * <p>A header that fits in the first read (64 KiB) stays in a heap array of its size. A larger one
 * in a file is mapped (read-only, unmapped once no value points into it) and read through a window
 * of 1 MiB (larger only while one string needs more) that slides over the mapping: the header then
 * costs no heap, only the page cache it is in anyway, and a cold JVM touches no fresh heap for it
 * (which costs more than the parse of a tokenizer). A larger header that cannot be mapped (a remote
 * object, a special file) is read into an array that quadruples as it grows and is cut to size at
 * the end. The heap peaks under twice the smaller of the file's size and the header size limit, and
 * under five times the header's size.
 */
final class HeaderWindow {

    /** The first read, enough for a header without a tokenizer. */
    private static final int FIRST_READ = 64 * 1024;

    /** Strings walked per call of {@link #skipRun}. */
    private static final int STRING_RUN = 16;

    /** The longest string the quick walk steps over; longer ones (rare) go the checked way. */
    private static final int QUICK_STRING = 1024;

    /** How much more than it needs a read takes, and the size of a file's sliding window. */
    private static final int READ_AHEAD = 1 << 20;

    /** Reads that return nothing in a row before giving up, so that a stuck channel cannot hang. */
    private static final int MAX_EMPTY_READS = 1000;

    private final HeaderSource channel;
    private final long fileSize;
    private final long maxHeaderSize;

    /** The most of the file the header array may hold: the file or the limit, whichever is less. */
    private final int capacityLimit;

    /** What metadata values point into: the whole header, set once the parse has read it. */
    private final HeaderBytes header = new HeaderBytes();

    /**
     * The file mapped, once the first read was not enough and the source could map it, as a view (a
     * header is under 2 GiB; the view keeps the mapping alive).
     */
    private ByteBuffer mapped;

    /** Whether the parse has needed more than the first read (and so tried to map the file). */
    private boolean pastFirstRead;

    /** The bytes at hand: file bytes {@code [windowStart, filled)} are {@code window[0..]}. */
    private byte[] window;

    private long windowStart;

    private long filled;

    /** File offset of the next byte to read. */
    private long position;

    HeaderWindow(HeaderSource channel, long fileSize, long maxHeaderSize) {
        this.channel = channel;
        this.fileSize = fileSize;
        this.maxHeaderSize = maxHeaderSize;
        this.capacityLimit = (int) Math.max(0, Math.min(fileSize, maxHeaderSize));
        this.window = new byte[Math.min(capacityLimit, FIRST_READ)];
        readBytes();
    }

    long fileSize() {
        return fileSize;
    }

    long maxHeaderSize() {
        return maxHeaderSize;
    }

    /** The offset of the next byte to read. */
    long position() {
        return position;
    }

    /** What values point into: the bytes read so far, the whole header after {@link #finish}. */
    HeaderBytes header() {
        return header;
    }

    /** Whether the {@code n} bytes at the position are at hand (else {@link #require} them). */
    boolean has(long n) {
        return n <= filled - position;
    }

    /** Steps over {@code n} bytes at hand. */
    void skip(long n) {
        position += n;
    }

    /** The byte at {@code offset}, which is at hand. */
    int u8At(long offset) {
        return window[(int) (offset - windowStart)] & 0xFF;
    }

    /** The int at the position, at hand, stepped over. */
    int nextI32() {
        int value = le32(window, (int) (position - windowStart));
        position += 4;
        return value;
    }

    /** The long at the position, at hand, stepped over. */
    long nextI64() {
        long value = le64(window, (int) (position - windowStart));
        position += 8;
        return value;
    }

    int u8(String field) throws IOException {
        require(field, 1);
        return window[(int) (position++ - windowStart)] & 0xFF;
    }

    int u16(String field) throws IOException {
        require(field, 2);
        int value = le16(window, (int) (position - windowStart));
        position += 2;
        return value;
    }

    int i32(String field) throws IOException {
        require(field, 4);
        return nextI32();
    }

    long u64(String field) throws IOException {
        require(field, 8);
        return nextI64();
    }

    /** Gives the values the whole header, {@code [0, size)}: the mapping or the array, cut. */
    void finish(int size) {
        ByteBuffer whole;
        if (mapped != null) {
            whole = mapped.slice(0, size);
        } else {
            whole = ByteBuffer.wrap(window.length == size ? window : Arrays.copyOf(window, size));
        }
        header.buffer = whole.order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---------------------------------------------------------------- checks

    /** Refuses a count of elements of at least {@code minSize} bytes that cannot fit. */
    void checkCount(String field, long count, long offset, int minSize, String what)
            throws GgufFormatException {
        long fileRemaining = fileSize - position;
        if (Long.compareUnsigned(count, fileRemaining / minSize) > 0) {
            throw GgufFormatException.pastFile(field, count, offset, fileRemaining, minSize, what);
        }
        long headerRemaining = maxHeaderSize - position;
        if (Long.compareUnsigned(count, headerRemaining / minSize) > 0) {
            throw GgufFormatException.pastLimit(
                    field, count, offset, headerRemaining, maxHeaderSize);
        }
    }

    /** Whether {@code count} elements of {@code minSize} bytes can fit: the quick test. */
    boolean fits(long count, int minSize) {
        return Long.compareUnsigned(count, (fileSize - position) / minSize) <= 0
                && Long.compareUnsigned(count, (maxHeaderSize - position) / minSize) <= 0;
    }

    /** Bytes readable before the end of the file or the header size limit, whichever is first. */
    private long limitRemaining() {
        return Math.min(fileSize, maxHeaderSize) - position;
    }

    private void checkReadable(String field, long n) throws GgufFormatException {
        if (n > fileSize - position) {
            throw GgufFormatException.truncated(field, position, n, fileSize);
        }
        if (n > maxHeaderSize - position) {
            throw GgufFormatException.pastHeaderLimit(field, position, maxHeaderSize);
        }
    }

    // ---------------------------------------------------------------- the window

    /**
     * Makes the {@code n} bytes at {@link #position} available in the header array, after checking
     * that they lie in the file and under the header size limit ({@code field} names them then).
     */
    void require(String field, long n) throws IOException {
        if (n <= filled - position) {
            return;
        }
        checkReadable(field, n);
        if (!pastFirstRead && filled > 0) {
            pastFirstRead = true;
            MemorySegment segment = channel.map(capacityLimit);
            mapped = segment == null ? null : segment.asByteBuffer();
            readBytes();
        }
        if (mapped != null && position > windowStart) {
            // The checked bytes leave the window (they stay in the mapping), the rest moves to
            // its start: the window then holds what is being read and what follows.
            int checked = (int) (position - windowStart);
            System.arraycopy(window, checked, window, 0, (int) (filled - position));
            windowStart = position;
        }
        long end = position + n; // <= capacityLimit
        long room = capacityLimit - windowStart;
        if (end - windowStart > window.length
                || mapped != null && window.length < Math.min(READ_AHEAD, room)) {
            // A mapped header's window takes READ_AHEAD, or what one value needs; a header read
            // into the heap quadruples its array (fewer copies and reads).
            long grown =
                    mapped != null
                            ? Math.max(end - windowStart, Math.min(READ_AHEAD, room))
                            : Math.max(end, Math.min(4L * window.length, capacityLimit));
            byte[] bytes = new byte[(int) grown];
            System.arraycopy(window, 0, bytes, 0, (int) (filled - windowStart));
            window = bytes;
            readBytes();
        }
        // Reads what is needed and up to a quarter of the array more (at least READ_AHEAD), so
        // that reads are few (each one interrupts the walk) and the bytes read past the header few.
        long ahead = Math.max(READ_AHEAD, window.length >>> 2);
        long target =
                Math.min(
                        Math.min(windowStart + window.length, capacityLimit),
                        Math.max(end, filled + ahead));
        int at = (int) (filled - windowStart);
        int length = (int) (target - filled);
        if (mapped != null) {
            copyMapped(at, length);
        } else {
            fill(ByteBuffer.wrap(window, at, length), filled);
        }
        filled = target;
    }

    /** Copies {@code length} mapped bytes from {@link #filled} to {@code window[at]}. */
    private void copyMapped(int at, int length) throws GgufFormatException {
        try {
            // Through the buffer view: the segment's copy into an array would first start the
            // JDK's memory layouts (and by element layout generate a switch over array types),
            // milliseconds on a cold JVM.
            mapped.get((int) filled, window, at, length);
        } catch (InternalError e) {
            // What a mapped page past the end of a file that shrank raises (SIGBUS).
            throw GgufFormatException.shrank(fileSize, filled);
        }
    }

    /**
     * Points the values at the bytes read so far, file offset for file offset: the mapping, or the
     * array (which never slides when there is no mapping), so that a value can be decoded before
     * the parse ends; {@link #finish} then gives them the header cut to size.
     */
    private void readBytes() {
        header.buffer =
                (mapped != null ? mapped.duplicate() : ByteBuffer.wrap(window))
                        .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Fills {@code target} from the file at {@code offset}; the file must have the bytes. */
    private void fill(ByteBuffer target, long offset) throws IOException {
        long at = offset;
        int idle = 0;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read == 0 && ++idle >= MAX_EMPTY_READS) {
                throw new IOException(
                        "GGUF read at offset "
                                + at
                                + ": the channel returned no bytes "
                                + idle
                                + " times in a row");
            }
            if (read > 0) {
                idle = 0;
            }
            if (read < 0) {
                throw GgufFormatException.shrank(fileSize, at);
            }
            at += read;
        }
    }

    // ---------------------------------------------------------------- strings

    /**
     * Checks that the {@code length} bytes at {@link #position} (checked to fit) are valid UTF-8
     * and steps over them; with a null {@code field}, names them {@code arrayField[index]}.
     *
     * @return the offset of the bytes in the header
     */
    int checkedUtf8(String field, long length, String arrayField, int index) throws IOException {
        if (length > filled - position) {
            require(field == null ? arrayField + "[" + index + "]" : field, length);
        }
        int at = (int) position;
        if (!Utf8.isValid(window, (int) (at - windowStart), (int) length)) {
            throw GgufFormatException.invalidUtf8(
                    field == null ? arrayField + "[" + index + "]" : field,
                    window,
                    (int) (at - windowStart),
                    at,
                    (int) length);
        }
        position += length;
        return at;
    }

    /**
     * Reads a checked string: its length against the bytes left, its bytes as strict UTF-8. Its
     * field, {@code prefix[index]suffix}, is built only for a message: the parse reads one per
     * metadata key and per tensor name.
     */
    String string(String prefix, int index, String suffix) throws IOException {
        long lengthOffset = position;
        if (8 > filled - position) {
            require(prefix + "[" + index + "]" + suffix + ".length", 8);
        }
        long length = nextI64();
        if (Long.compareUnsigned(length, limitRemaining()) > 0) {
            checkCount( // throws
                    prefix + "[" + index + "]" + suffix + ".length",
                    length,
                    lengthOffset,
                    1,
                    "a byte");
        }
        if (length > filled - position) {
            require(prefix + "[" + index + "]" + suffix, length);
        }
        int at = (int) (position - windowStart);
        if (!Utf8.isValid(window, at, (int) length)) {
            throw GgufFormatException.invalidUtf8(
                    prefix + "[" + index + "]" + suffix, window, at, position, (int) length);
        }
        position += length;
        return new String(window, at, (int) length, StandardCharsets.UTF_8);
    }

    /**
     * Reads and checks the length of string element {@code index} of an array, building the
     * element's field name only for a message (a vocabulary has hundreds of thousands).
     */
    long elementLength(String arrayField, int index) throws IOException {
        if (8 > limitRemaining()) {
            checkReadable(arrayField + "[" + index + "].length", 8); // throws
        }
        long at = position;
        long length = u64(arrayField);
        if (Long.compareUnsigned(length, limitRemaining()) > 0) {
            checkCount(arrayField + "[" + index + "].length", length, at, 1, "a byte"); // throws
        }
        return length;
    }

    /**
     * Steps over up to {@code n} string elements that lie wholly in the bytes read so far and are
     * valid (a vocabulary has hundreds of thousands); stops at the first that does not, which the
     * caller reads the checked way.
     *
     * @return how many it stepped over
     */
    int skipStrings(int n) {
        byte[] bytes = window;
        int at = (int) (position - windowStart);
        int limit = (int) (filled - windowStart); // filled never passes the file or the limit
        int i = 0;
        // Runs, then single strings, only where whatever they hold lies in the window: the end of
        // the window is met in the slow path, never in the compiled walk (where meeting it first
        // after compilation would send the walk back to the interpreter to be compiled again).
        while (n - i >= STRING_RUN && limit - at >= STRING_RUN * (8 + QUICK_STRING)) {
            int end = skipRun(bytes, at, STRING_RUN);
            if (end < 0) {
                break; // a long string, or one to refuse: one at a time
            }
            at = end;
            i += STRING_RUN;
        }
        while (i < n && limit - at >= 8 + QUICK_STRING) {
            int end = skipRun(bytes, at, 1);
            if (end < 0) {
                break;
            }
            at = end;
            i++;
        }
        position = windowStart + at;
        return i;
    }

    /**
     * The end of the {@code count} string elements from {@code at} if each is at most {@link
     * #QUICK_STRING} bytes of valid UTF-8, else -1; the caller has checked that the window holds
     * that much. The whole walk is this one method, called once per {@link #STRING_RUN} strings: a
     * fresh JVM compiles it after a few thousand strings (a loop alone waits for on-stack
     * replacement, tens of thousands), and once (a string method called from it would be compiled
     * alone as well, then again inside it: each C2 compilation here costs milliseconds of a CPU
     * that the open needs).
     */
    private static int skipRun(byte[] bytes, int at, int count) {
        int next = at;
        for (int k = 0; k < count; k++) {
            // The length, little-endian; plain byte arithmetic, which a first open runs
            // interpreted far faster than a VarHandle.
            int length =
                    (bytes[next] & 0xFF)
                            | (bytes[next + 1] & 0xFF) << 8
                            | (bytes[next + 2] & 0xFF) << 16
                            | bytes[next + 3] << 24;
            if ((bytes[next + 4] | bytes[next + 5] | bytes[next + 6] | bytes[next + 7]) != 0
                    || length < 0
                    || length > QUICK_STRING) {
                return -1;
            }
            int end = next + 8 + length;
            for (int b = next + 8; b < end; b++) {
                if (bytes[b] < 0) {
                    if (!Utf8.isValid(bytes, b, end - b)) {
                        return -1;
                    }
                    break;
                }
            }
            next = end;
        }
        return next;
    }

    // ---------------------------------------------------------------- little-endian

    /** The little-endian unsigned short at {@code at}: plain arithmetic, fast even interpreted. */
    private static int le16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    /** The little-endian int at {@code at}. */
    private static int le32(byte[] bytes, int at) {
        return (bytes[at] & 0xFF)
                | (bytes[at + 1] & 0xFF) << 8
                | (bytes[at + 2] & 0xFF) << 16
                | bytes[at + 3] << 24;
    }

    /** The little-endian long at {@code at}. */
    private static long le64(byte[] bytes, int at) {
        return le32(bytes, at) & 0xFFFF_FFFFL | (long) le32(bytes, at + 4) << 32;
    }
}
