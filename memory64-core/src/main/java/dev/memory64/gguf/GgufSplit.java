package dev.memory64.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The parts of a split model as llama.cpp's {@code gguf-split} writes them and its loader checks
 * them: part files named {@code PREFIX-0000K-of-0000N.gguf}, each with {@code split.no} (its index
 * from 0), {@code split.count} (N) and {@code split.tensors.count} (the tensors of all parts), the
 * model's metadata in part 0.
 */
final class GgufSplit {

    static final String KEY_NO = "split.no";
    static final String KEY_COUNT = "split.count";
    static final String KEY_TENSORS_COUNT = "split.tensors.count";

    /** {@code -0000K-of-0000N.gguf}: the end of a part's file name. */
    private static final int SUFFIX_LENGTH = 20;

    /** {@code split.count} and {@code split.no} are {@code uint16} in llama.cpp. */
    private static final long MAX_PARTS = 0xFFFF;

    private GgufSplit() {}

    /** The file name of part {@code index} (from 0) of {@code count}, as llama.cpp names it. */
    static String partName(String prefix, int index, int count) {
        return String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", prefix, index + 1, count);
    }

    /**
     * The declared part count of a file: its {@code split.count}, or 1 when it has none or 0 (a
     * merged model keeps {@code split.count = 0}).
     */
    static int declaredCount(Path path, GgufFile file) throws GgufFormatException {
        long count = integer(path, file, KEY_COUNT);
        if (count > MAX_PARTS) {
            throw new GgufFormatException(
                    KEY_COUNT,
                    unsigned(file, KEY_COUNT),
                    file.valueOffset(KEY_COUNT),
                    "in " + path + " is not a part count in [0, " + MAX_PARTS + "]");
        }
        return (int) Math.max(count, 1);
    }

    /**
     * The paths of every part, in order, for a model named by one part: {@code PREFIX-0000K-of-
     * 0000N.gguf} with N matching the file's {@code split.count}.
     */
    static List<Path> siblings(Path named, GgufFile file, int count) throws IOException {
        return siblings(named, file, count, true);
    }

    /** As {@link #siblings(Path, GgufFile, int)}; {@code mustExist} false skips the file check. */
    static List<Path> siblings(Path named, GgufFile file, int count, boolean mustExist)
            throws IOException {
        Path name = named.getFileName();
        String prefix = name == null ? null : partPrefix(name.toString());
        if (prefix == null) {
            throw new GgufFormatException(
                    KEY_COUNT,
                    Integer.toString(count),
                    file.valueOffset(KEY_COUNT),
                    "in "
                            + named
                            + " declares a split model, but the file is not named"
                            + " PREFIX-0000K-of-0000N.gguf, so its other parts cannot be found:"
                            + " pass every part");
        }
        String text = name.toString();
        int nameCount = Integer.parseInt(text, text.length() - 10, text.length() - 5, 10);
        if (nameCount != count) {
            throw new GgufFormatException(
                    KEY_COUNT,
                    Integer.toString(count),
                    file.valueOffset(KEY_COUNT),
                    "in " + named + " does not match the " + nameCount + " parts in its name");
        }
        List<Path> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Path part = named.resolveSibling(partName(prefix, i, count));
            if (mustExist && !Files.exists(part)) {
                throw new NoSuchFileException(
                        part.toString(),
                        null,
                        "part " + (i + 1) + " of " + count + " of the split model " + named);
            }
            all.add(part);
        }
        return all;
    }

    /**
     * The PREFIX of a part's file name {@code PREFIX-0000K-of-0000N.gguf}, as llama.cpp's {@code
     * llama_split_path} writes it ({@code "%s-%05d-of-%05d.gguf"}; K and N five ASCII digits each,
     * PREFIX any text without a line terminator: the regular expression {@code
     * (.*)-(\\d{5})-of-(\\d{5})\\.gguf}), or null if the name is not of that form. Hand-written, so
     * that opening a model compiles no regular expression.
     */
    static String partPrefix(String name) {
        int at = name.length() - SUFFIX_LENGTH;
        if (at < 0
                || name.charAt(at) != '-'
                || !isDigits(name, at + 1, at + 6)
                || !name.startsWith("-of-", at + 6)
                || !isDigits(name, at + 10, at + 15)
                || !name.startsWith(".gguf", at + 15)) {
            return null;
        }
        for (int i = 0; i < at; i++) {
            char c = name.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return null;
            }
        }
        return name.substring(0, at);
    }

    private static boolean isDigits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks that the parts form one model, with llama.cpp's rules, and puts them in {@code
     * split.no} order: every part has {@code split.count} equal to the number of parts and a
     * distinct {@code split.no} below it, and the tensors of all parts add up to {@code
     * split.tensors.count} (required in a split model; checked in a single file that has it).
     *
     * @param paths the parts' paths, reordered in place
     * @param parts the parts' headers, reordered in place
     */
    static void order(List<Path> paths, List<GgufFile> parts) throws GgufFormatException {
        int n = parts.size();
        Path[] pathByNumber = new Path[n];
        GgufFile[] byNumber = new GgufFile[n];
        for (int i = 0; i < n; i++) {
            GgufFile part = parts.get(i);
            Path path = paths.get(i);
            if (n == 1 && !part.metadata().containsKey(KEY_COUNT)) {
                pathByNumber[0] = path;
                byNumber[0] = part;
                break;
            }
            long count = integer(path, part, KEY_COUNT);
            if (Math.max(count, 1) != n) {
                throw new GgufFormatException(
                        KEY_COUNT,
                        unsigned(part, KEY_COUNT),
                        part.valueOffset(KEY_COUNT),
                        "in " + path + " does not match the " + n + " parts given");
            }
            long no = integer(path, part, KEY_NO);
            if (no < 0 && n == 1 && !part.metadata().containsKey(KEY_NO)) {
                no = 0;
            }
            if (no < 0) {
                throw new GgufFormatException(
                        KEY_NO, "", 0, "is missing in " + path + ", part of a split model");
            }
            if (no >= n) {
                throw new GgufFormatException(
                        KEY_NO,
                        unsigned(part, KEY_NO),
                        part.valueOffset(KEY_NO),
                        "in " + path + " is not a part number in [0, " + n + ")");
            }
            if (byNumber[(int) no] != null) {
                throw new GgufFormatException(
                        KEY_NO,
                        Long.toString(no),
                        part.valueOffset(KEY_NO),
                        "in " + path + " is also the split.no of " + pathByNumber[(int) no]);
            }
            byNumber[(int) no] = part;
            pathByNumber[(int) no] = path;
        }
        paths.clear();
        parts.clear();
        for (int i = 0; i < n; i++) {
            paths.add(pathByNumber[i]);
            parts.add(byNumber[i]);
        }
        checkTensorCount(paths, parts);
    }

    private static void checkTensorCount(List<Path> paths, List<GgufFile> parts)
            throws GgufFormatException {
        long found = 0;
        for (GgufFile part : parts) {
            found += part.tensors().size();
        }
        for (int i = 0; i < parts.size(); i++) {
            GgufFile part = parts.get(i);
            boolean has = part.metadata().containsKey(KEY_TENSORS_COUNT);
            if (!has && i == 0 && parts.size() > 1) {
                throw new GgufFormatException(
                        KEY_TENSORS_COUNT,
                        "",
                        0,
                        "is missing in "
                                + paths.get(0)
                                + ", the first of "
                                + parts.size()
                                + " parts of a split model, which holds "
                                + found
                                + " tensors");
            }
            if (has) {
                long declared = integer(paths.get(i), part, KEY_TENSORS_COUNT);
                if (declared != found) {
                    throw new GgufFormatException(
                            KEY_TENSORS_COUNT,
                            unsigned(part, KEY_TENSORS_COUNT),
                            part.valueOffset(KEY_TENSORS_COUNT),
                            "in "
                                    + paths.get(i)
                                    + " declares "
                                    + unsigned(part, KEY_TENSORS_COUNT)
                                    + " tensors, but the "
                                    + parts.size()
                                    + " part(s) hold "
                                    + found
                                    + ": a corrupted model");
                }
            }
        }
    }

    /** A split key's value as a non-negative integer; -1 if absent; an error if not an integer. */
    private static long integer(Path path, GgufFile file, String key) throws GgufFormatException {
        GgufValue value = file.metadata().get(key);
        if (value == null) {
            return -1;
        }
        if (!value.type().isInteger()) {
            throw new GgufFormatException(
                    key,
                    value.toString(),
                    file.valueOffset(key),
                    "in " + path + " has type " + value.type().typeName() + ", not an integer");
        }
        long v = value.asLong();
        return v < 0 ? Long.MAX_VALUE : v;
    }

    private static String unsigned(GgufFile file, String key) {
        GgufValue value = file.metadata().get(key);
        if (value == null) {
            return "";
        }
        return value.type() == GgufValueType.UINT64
                ? Long.toUnsignedString(value.asLong())
                : Long.toString(value.asLong());
    }
}
