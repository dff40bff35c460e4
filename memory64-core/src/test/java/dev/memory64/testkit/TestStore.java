package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.RegionBacking;
import dev.memory64.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The ABI tests' store, written once for every module: allocated regions, content from a formula
 * (kept, so that a test compares what a guest received with what the store holds), layers, tensors
 * and metadata. Closing it closes the store.
 *
 * @param store the store
 * @param content what was written at offset 0, in one write (empty if nothing was)
 */
public record TestStore(Memory64Store store, byte[] content) implements AutoCloseable {

    /** 64 KiB: a Wasm page, and the size of the usual first region. */
    public static final long PAGE = 64 * 1024;

    /**
     * A builder with nothing in it yet.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The ABI unit tests' small store: region {@code a} of a page, to which a test adds its
     * content, layers and metadata.
     *
     * @return the builder
     */
    public static Builder page() {
        return builder().region("a", PAGE);
    }

    /**
     * The usual ABI model: region {@code a} of a page and region {@code b}, byte {@code i} equal to
     * {@code i * 13 + (i >>> 9)}, {@code token_embd} (id 0) at [0, 1000), {@code blk.0} (id 1) at
     * [PAGE - 100, PAGE + 4900), straddling the two regions, and blk.0's one tensor (type 2, at 16
     * for 4000 bytes, dims 32 by 125).
     *
     * @param second the size of region {@code b}
     * @param tensor the name of blk.0's tensor
     * @return the builder, to which a test adds what else it needs
     */
    public static Builder abiModel(long second, String tensor) {
        return builder()
                .region("a", PAGE)
                .region("b", second)
                .content(i -> i * 13 + (i >>> 9))
                .layer(new Layer(0, "token_embd", "embeddings", 0, 1000))
                .layer(new Layer(1, "blk.0", "block", PAGE - 100, 5000))
                .tensor(new TensorInfo(tensor, 1, 16, 4000, 2, List.of(32L, 125L)));
    }

    /**
     * Asserts that a plain reserved backing in the directory refuses the layout when the store is
     * built, as it does a region its file system has no room for.
     *
     * @param layout the layout
     * @param directory where the reservation would be
     * @return the refusal, whose message a test checks
     */
    public static IOException assertReservationRefused(MemoryLayout layout, Path directory) {
        return assertThrows(
                IOException.class,
                () ->
                        Memory64Store.builder(layout)
                                .withDefaultBacking(RegionBacking.reserved(directory))
                                .build());
    }

    /**
     * The bytes of the content in [offset, offset + length).
     *
     * @param offset where the range starts in the store
     * @param length how many bytes
     * @return a copy of them
     */
    public byte[] range(long offset, long length) {
        return Arrays.copyOfRange(
                content, Math.toIntExact(offset), Math.toIntExact(offset + length));
    }

    @Override
    public void close() {
        store.close();
    }

    /** What the store will hold; {@link #build} makes it. */
    public static final class Builder {
        private final MemoryLayout.Builder layout = MemoryLayout.builder();
        private final List<Layer> layers = new ArrayList<>();
        private final List<TensorInfo> tensors = new ArrayList<>();
        private final ModelMetadata.Builder metadata = ModelMetadata.builder();
        private boolean hasMetadata;
        private IntUnaryOperator content;

        private Builder() {}

        /**
         * Adds an allocated region.
         *
         * @param name its name
         * @param size its size in bytes
         * @return this builder
         */
        public Builder region(String name, long size) {
            layout.addRegion(name, size);
            return this;
        }

        /**
         * Fills the whole store, in one write at offset 0.
         *
         * @param byteAt the byte at each offset (the low eight bits count)
         * @return this builder
         */
        public Builder content(IntUnaryOperator byteAt) {
            content = byteAt;
            return this;
        }

        /**
         * Adds a layer.
         *
         * @param layer the layer
         * @return this builder
         */
        public Builder layer(Layer layer) {
            layers.add(layer);
            return this;
        }

        /**
         * Adds a tensor.
         *
         * @param tensor the tensor
         * @return this builder
         */
        public Builder tensor(TensorInfo tensor) {
            tensors.add(tensor);
            return this;
        }

        /**
         * Adds a metadata entry; a store given none has empty metadata.
         *
         * @param key its key
         * @param value its value
         * @return this builder
         */
        public Builder metadata(String key, MetadataValue value) {
            metadata.put(key, value);
            hasMetadata = true;
            return this;
        }

        /**
         * Makes the store alone, for a test that compares nothing with its content: closing it is
         * the test's.
         *
         * @return the store
         * @throws IOException if the store cannot be made
         */
        public Memory64Store buildStore() throws IOException {
            return build().store();
        }

        /**
         * Makes the store: allocates it, writes the content, registers the layers and tensors.
         *
         * @return the store and its content
         * @throws IOException if the store cannot be made
         */
        public TestStore build() throws IOException {
            Memory64Store.Builder builder =
                    Memory64Store.builder(layout.build())
                            .withDefaultBacking(RegionBacking.allocated());
            if (hasMetadata) {
                builder.withMetadata(metadata.build());
            }
            Memory64Store store = builder.build();
            byte[] bytes = new byte[content == null ? 0 : Math.toIntExact(store.size())];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) content.applyAsInt(i);
            }
            if (bytes.length > 0) {
                store.write(0, bytes);
            }
            if (!layers.isEmpty()) {
                store.registerLayers(layers, tensors);
            }
            return new TestStore(store, bytes);
        }
    }
}
