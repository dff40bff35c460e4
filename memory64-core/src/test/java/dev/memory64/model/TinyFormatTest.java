package dev.memory64.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open flow serves a second format that shares no code with GGUF ({@link TinyFormat}): the seam
 * of issue 20 holds when a format other than the one it was cut from goes through it.
 */
class TinyFormatTest {

    private static final int DATA_START = 512;

    @TempDir Path dir;

    /** A tensor to write: its name and size; its bytes are {@link #bytes} of its name. */
    private record Spec(String name, int size) {}

    @Test
    void opensAModelInOnePartWithTheFormatsLayersTensorsAndMetadata() throws IOException {
        Path file =
                write(
                        dir.resolve("m.tiny"),
                        1,
                        1,
                        List.of(
                                new Spec("embed", 100),
                                new Spec("layer/0/attn", 200),
                                new Spec("layer/0/ffn", 50),
                                new Spec("layer/1/attn", 300),
                                new Spec("norm", 10),
                                new Spec("head", 64),
                                new Spec("extra", 7)));
        try (Memory64Store store = open(file)) {
            assertEquals(
                    "0 embed embeddings 100, 1 layer/0 block 250, 2 layer/1 block 300,"
                            + " 3 norm norm 10, 4 head head 64, 5 extra other 7",
                    describe(store.layers()));
            assertEquals("tiny", store.layout().region(0).purpose());
            assertEquals("model", store.layout().region(0).name());
            assertArrayEquals(
                    concat(bytes("layer/0/attn", 200), bytes("layer/0/ffn", 50)),
                    readLayer(store, 1));
            TensorInfo ffn = store.tensor("layer/0/ffn");
            assertEquals(1, ffn.layerId());
            assertEquals(200, ffn.offsetInLayer());
            assertEquals(List.of(50L), ffn.dims());
            assertEquals(1, partsInMetadata(store));
        }
    }

    @Test
    void opensASetByAnyPartWithABlockAcrossItsParts() throws IOException {
        write(
                dir.resolve("s-1-of-2.tiny"),
                1,
                2,
                List.of(new Spec("embed", 40), new Spec("layer/0/attn", 30)));
        Path second =
                write(
                        dir.resolve("s-2-of-2.tiny"),
                        2,
                        2,
                        List.of(new Spec("layer/0/ffn", 20), new Spec("head", 9)));
        try (Memory64Store store = open(second)) {
            assertEquals(
                    "0 embed embeddings 40, 1 layer/0 block 50, 3 head head 9",
                    describe(store.layers()));
            assertEquals("part-00001-of-00002", store.layout().region(0).name());
            assertEquals(2, store.layer(1).extents().size());
            assertArrayEquals(
                    concat(bytes("layer/0/attn", 30), bytes("layer/0/ffn", 20)),
                    readLayer(store, 1));
            assertEquals(2, partsInMetadata(store));
        }
    }

    @Test
    void refusesATensorInTwoPartsInTheFormatsOwnWords() throws IOException {
        Path first = write(dir.resolve("d-1-of-2.tiny"), 1, 2, List.of(new Spec("embed", 8)));
        Path second = write(dir.resolve("d-2-of-2.tiny"), 2, 2, List.of(new Spec("embed", 8)));
        IOException e = assertThrows(IOException.class, () -> open(first));
        assertEquals("tiny: tensor embed is in " + first + " and in " + second, e.getMessage());
    }

    @Test
    void refusesWhatThePlanCannotPlaceInTheFormatsOwnWords() throws IOException {
        Path file =
                write(dir.resolve("big.tiny"), 1, 1, List.of(new Spec("layer/2147483647/x", 4)));
        IOException e = assertThrows(IOException.class, () -> open(file));
        assertEquals(
                "tiny: tensor layer/2147483647/x would be in layer \"layer/2147483647\" with id"
                        + " 2147483648, past the largest layer id 2147483647",
                e.getMessage());
    }

    private static Memory64Store open(Path file) throws IOException {
        return ModelOpen.open(
                        new TinyFormat(),
                        List.of(PartLocation.file(file)),
                        ModelOpen.PartCheck.NONE,
                        (what, done, total) -> {})
                .store();
    }

    /** Writes a part: the text header, padded to {@link #DATA_START}, then each tensor's bytes. */
    private static Path write(Path file, int part, int parts, List<Spec> tensors)
            throws IOException {
        StringBuilder header = new StringBuilder("TINY " + part + " " + parts + "\n");
        List<byte[]> data = new ArrayList<>();
        long offset = DATA_START;
        for (Spec t : tensors) {
            header.append(t.name() + " 0 " + offset + " " + t.size() + "\n");
            data.add(bytes(t.name(), t.size()));
            offset += t.size();
        }
        byte[] head = header.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[DATA_START];
        System.arraycopy(head, 0, all, 0, head.length);
        for (byte[] d : data) {
            all = concat(all, d);
        }
        return Files.write(file, all);
    }

    private static byte[] bytes(String name, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (name.hashCode() * 31 + i * 7);
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] readLayer(Memory64Store store, int id) throws Memory64Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(store.layer(id).size());
            store.readLayer(id, 0, dst);
            return dst.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static int partsInMetadata(Memory64Store store) {
        return store.metadata()
                .get("tiny.parts")
                .orElseThrow()
                .encoding()
                .get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    private static String describe(List<Layer> layers) {
        return layers.stream()
                .map(l -> l.id() + " " + l.name() + " " + l.kind() + " " + l.size())
                .collect(Collectors.joining(", "));
    }
}
