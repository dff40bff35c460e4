package dev.memory64;

import dev.memory64.internal.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Names looked up by their UTF-8 bytes, with no decoding and no allocation per lookup: how a
 * guest's name finds a layer or a tensor. A key is the UTF-8 encoding of a name that encodes
 * exactly (a name holding an unpaired surrogate has none and is never found), so bytes match a key
 * only if they are valid UTF-8 decoding to that name: the same answer as decoding strictly, then
 * looking up the string. Immutable once built; built lazily, once per snapshot of the layer table.
 *
 * @param <V> the value type
 */
final class Utf8Names<V> {

    private final byte[][] keys;
    private final Object[] values;
    private final int[] table; // open addressing; positions + 1, 0 empty

    private Utf8Names(byte[][] keys, Object[] values, int[] table) {
        this.keys = keys;
        this.values = values;
        this.table = table;
    }

    /**
     * Indexes {@code count} values by their names; where several share a name, the first of them in
     * {@code values} order.
     */
    static <V> Utf8Names<V> of(String[] names, Object[] values, int count) {
        byte[][] keys = new byte[count][];
        int capacity = LayerTable.capacity(count);
        int[] table = new int[capacity];
        int mask = capacity - 1;
        for (int p = 0; p < count; p++) {
            if (Utf8.unpairedSurrogate(names[p]) >= 0) {
                continue; // no bytes name it
            }
            byte[] key = names[p].getBytes(StandardCharsets.UTF_8);
            keys[p] = key;
            for (int slot = hash(key, key.length) & mask; ; slot = (slot + 1) & mask) {
                int held = table[slot] - 1;
                if (held < 0) {
                    table[slot] = p + 1;
                    break;
                }
                if (Arrays.equals(keys[held], key)) {
                    break; // the first keeps the name
                }
            }
        }
        return new Utf8Names<>(keys, Arrays.copyOf(values, count), table);
    }

    /** The value named by {@code utf8[0, length)}, or null. */
    @SuppressWarnings("unchecked")
    V find(byte[] utf8, int length) {
        int mask = table.length - 1;
        for (int slot = hash(utf8, length) & mask; ; slot = (slot + 1) & mask) {
            int position = table[slot] - 1;
            if (position < 0) {
                return null;
            }
            byte[] key = keys[position];
            if (Arrays.equals(key, 0, key.length, utf8, 0, length)) {
                return (V) values[position];
            }
        }
    }

    private static int hash(byte[] bytes, int length) {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + bytes[i];
        }
        return LayerTable.hash(h);
    }
}
