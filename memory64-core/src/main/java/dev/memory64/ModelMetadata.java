package dev.memory64;

import dev.memory64.internal.Utf8;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A model's key/value metadata, format-neutral: what a guest reads through {@code
 * memory64_metadata_info} and {@code memory64_metadata_read} (hyperparameters, the vocabulary), and
 * what {@link Memory64Store#metadata()} returns. Opening a GGUF model fills it with every key of
 * the first part's header, each value a slice of that header.
 *
 * <p>Immutable and safe to share between threads. Keys are strings with a UTF-8 form; a guest names
 * them by their UTF-8 bytes ({@link #find(byte[], int)}, which allocates nothing).
 *
 * <pre>{@code
 * ModelMetadata metadata = ModelMetadata.builder()
 *         .put("general.architecture", MetadataValue.ofString("llama"))
 *         .put("llama.block_count", MetadataValue.ofUint32(32))
 *         .build();
 * }</pre>
 */
public final class ModelMetadata {

    private static final ModelMetadata EMPTY = new ModelMetadata(new LinkedHashMap<>());

    private final Map<String, MetadataValue> values;
    private final Utf8Names<MetadataValue> names;

    private ModelMetadata(LinkedHashMap<String, MetadataValue> values) {
        this.values = Collections.unmodifiableMap(values);
        String[] keys = values.keySet().toArray(new String[0]);
        this.names = Utf8Names.of(keys, values.values().toArray(), keys.length);
    }

    /**
     * Returns the metadata with no keys.
     *
     * @return the empty metadata
     */
    public static ModelMetadata empty() {
        return EMPTY;
    }

    /**
     * Starts a metadata table.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the value of a key.
     *
     * @param key the key
     * @return the value, or empty if there is no such key
     */
    public Optional<MetadataValue> get(String key) {
        return Optional.ofNullable(values.get(Objects.requireNonNull(key, "key")));
    }

    /**
     * Returns the value of the key whose UTF-8 form is {@code utf8[0, length)}, allocating nothing:
     * the lookup a guest's call makes. Bytes that are not valid UTF-8 name no key.
     *
     * @param utf8 the key's bytes
     * @param length how many bytes of {@code utf8} form the key
     * @return the value, or null if there is no such key
     * @throws IndexOutOfBoundsException if {@code length} is negative or past the array
     */
    public MetadataValue find(byte[] utf8, int length) {
        Objects.checkFromIndexSize(0, length, utf8.length);
        return names.find(utf8, length);
    }

    /**
     * Returns the keys, in the order they were put (a GGUF header's order).
     *
     * @return an unmodifiable view of the keys
     */
    public Set<String> keys() {
        return values.keySet();
    }

    /**
     * Returns every key and value, in the order they were put.
     *
     * @return an unmodifiable view
     */
    public Map<String, MetadataValue> asMap() {
        return values;
    }

    /**
     * Returns the number of keys.
     *
     * @return the count
     */
    public int size() {
        return values.size();
    }

    /**
     * Returns whether there are no keys.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Returns the number of keys, e.g. {@code ModelMetadata[24 keys]}. */
    @Override
    public String toString() {
        return "ModelMetadata[" + values.size() + " keys]";
    }

    /** Builds a {@link ModelMetadata}; a key put twice keeps its last value. */
    public static final class Builder {
        private final LinkedHashMap<String, MetadataValue> values = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Sets a key's value.
         *
         * @param key the key
         * @param value the value
         * @return this builder
         * @throws IllegalArgumentException if the key holds an unpaired surrogate (no UTF-8 form,
         *     so no guest could name it)
         */
        public Builder put(String key, MetadataValue value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (Utf8.unpairedSurrogate(key) >= 0) {
                throw new IllegalArgumentException(
                        "metadata: key " + key + " has no UTF-8 form (an unpaired surrogate)");
            }
            values.put(key, value);
            return this;
        }

        /**
         * Puts every key of another table, each replacing a key of the same name.
         *
         * @param metadata the other table
         * @return this builder
         */
        public Builder putAll(ModelMetadata metadata) {
            values.putAll(metadata.values);
            return this;
        }

        /**
         * Builds the table.
         *
         * @return the metadata
         */
        public ModelMetadata build() {
            return values.isEmpty() ? EMPTY : new ModelMetadata(new LinkedHashMap<>(values));
        }
    }
}
