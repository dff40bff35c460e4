package dev.memory64.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code memory64_metadata_info} and {@code memory64_metadata_read} served from a GGUF file's
 * header, for the inference guest's tests while the host's own functions (issue 21) are not in this
 * branch: {@link #withFallback} adds them only where {@link Memory64HostFunctions} lacks them, so
 * the host's functions win as soon as they exist (then this class can go). The encoding is the
 * ABI's: a slice of the header, a string without its length, an array without its type and count.
 */
final class GgufMetadataFunctions {
    static final String INFO = "memory64_metadata_info";
    static final String READ = "memory64_metadata_read";

    /** One value: its types, count, and its encoding's span in the file. */
    record Entry(int type, int elementType, long count, int offset, int size) {}

    private final byte[] file;
    private final Map<String, Entry> entries = new HashMap<>();

    private GgufMetadataFunctions(byte[] file) {
        this.file = file;
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        in.position(16); // magic, version, tensor count
        long count = in.getLong();
        for (long i = 0; i < count; i++) {
            byte[] key = new byte[(int) in.getLong()];
            in.get(key);
            int type = in.getInt();
            entries.put(new String(key, StandardCharsets.UTF_8), value(in, type));
        }
    }

    private static Entry value(ByteBuffer in, int type) {
        if (type == 8) {
            int length = (int) in.getLong();
            Entry entry = new Entry(type, type, 1, in.position(), length);
            in.position(in.position() + length);
            return entry;
        }
        if (type == 9) {
            int elementType = in.getInt();
            long count = in.getLong();
            int start = in.position();
            for (long i = 0; i < count; i++) {
                value(in, elementType);
            }
            return new Entry(type, elementType, count, start, in.position() - start);
        }
        int size =
                switch (type) {
                    case 0, 1, 7 -> 1;
                    case 2, 3 -> 2;
                    case 4, 5, 6 -> 4;
                    case 10, 11, 12 -> 8;
                    default -> throw new IllegalArgumentException("value type " + type);
                };
        Entry entry = new Entry(type, type, 1, in.position(), size);
        in.position(in.position() + size);
        return entry;
    }

    /**
     * Returns the host functions, plus the two metadata functions served from {@code gguf} when
     * they are not among them.
     */
    static HostFunction[] withFallback(HostFunction[] host, Path gguf) throws IOException {
        for (HostFunction function : host) {
            if (function.name().equals(INFO)) {
                return host;
            }
        }
        GgufMetadataFunctions metadata = new GgufMetadataFunctions(Files.readAllBytes(gguf));
        List<HostFunction> all = new ArrayList<>(Arrays.asList(host));
        all.add(
                new HostFunction(
                        "env",
                        INFO,
                        FunctionType.of(
                                List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32),
                                List.of(ValType.I32)),
                        (instance, args) -> new long[] {metadata.info(instance, args)}));
        all.add(
                new HostFunction(
                        "env",
                        READ,
                        FunctionType.of(
                                List.of(
                                        ValType.I32,
                                        ValType.I32,
                                        ValType.I64,
                                        ValType.I32,
                                        ValType.I32),
                                List.of(ValType.I32)),
                        (instance, args) -> new long[] {metadata.read(instance, args)}));
        return all.toArray(new HostFunction[0]);
    }

    private Entry entry(Memory memory, long keyPtr, long keyLength) {
        return entries.get(
                new String(
                        memory.readBytes((int) keyPtr, (int) keyLength), StandardCharsets.UTF_8));
    }

    private int info(Instance instance, long... args) {
        Entry entry = entry(instance.memory(), args[0], args[1]);
        if (entry == null) {
            return -2;
        }
        if (args[3] < 24) {
            return -3;
        }
        ByteBuffer record = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(entry.type()).putInt(entry.elementType()).putLong(entry.count());
        record.putLong(entry.size());
        instance.memory().write((int) args[2], record.array());
        return 24;
    }

    private int read(Instance instance, long... args) {
        Entry entry = entry(instance.memory(), args[0], args[1]);
        if (entry == null) {
            return -2;
        }
        long offset = args[2];
        int length = (int) args[4];
        if (offset < 0 || offset > entry.size() || length > entry.size() - offset) {
            return -4;
        }
        instance.memory().write((int) args[3], file, entry.offset() + (int) offset, length);
        return length;
    }
}
