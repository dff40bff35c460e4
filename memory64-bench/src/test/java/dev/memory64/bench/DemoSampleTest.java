package dev.memory64.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufTensor;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sample model: its content, its layout, writing it safely and reusing it. */
class DemoSampleTest {

    /** Six layers of about 1.7 MB in all. */
    static final DemoSample.Spec TINY = new DemoSample.Spec("test", 3, 256, 512, 1000);

    @TempDir Path dir;

    static byte[] fill(long seed, long size) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong written = new AtomicLong();
        DemoSample.fill(Channels.newChannel(bytes), seed, size, written);
        assertEquals(size, written.get());
        return bytes.toByteArray();
    }

    static DemoProgress quiet() {
        return new DemoProgress(DemoProgress.Mode.NONE, System.err);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 8, 13, 4096, (4L << 20) + 13})
    void fillWritesExactlyTheSizeTheSameWayEveryTime(long size) throws Exception {
        byte[] first = fill(42, size);
        assertEquals(size, first.length);
        assertArrayEquals(first, fill(42, size));
        // The stream of words does not depend on the size: a shorter fill is a prefix.
        byte[] prefix = fill(42, Math.min(size, 11));
        assertArrayEquals(prefix, Arrays.copyOf(first, prefix.length));
    }

    @Test
    void fillDependsOnTheSeedAndIsNotConstant() throws Exception {
        byte[] a = fill(DemoSample.seed("blk.0.attn_q.weight"), 4096);
        byte[] b = fill(DemoSample.seed("blk.1.attn_q.weight"), 4096);
        assertFalse(Arrays.equals(a, b));
        long distinct = 0;
        int[] counts = new int[256];
        for (byte x : a) {
            if (counts[x & 0xff]++ == 0) {
                distinct++;
            }
        }
        assertTrue(distinct > 200, "distinct byte values: " + distinct);
    }

    @Test
    void defaultSampleIsLargerThanFourGibWithAtLeastThirtyTwoBlocks() throws Exception {
        GgufWriter writer = DemoSample.Spec.DEFAULT.writer(new AtomicLong());
        assertTrue(writer.fileSize() > (4L << 30), "size " + writer.fileSize());
        assertEquals(32, DemoSample.Spec.DEFAULT.blocks());
        assertEquals(2 + 32 * 9 + 1, writer.tensors().size());
        assertEquals("sample-v1.gguf", DemoSample.Spec.DEFAULT.fileName());
    }

    @Test
    void writesTheGeneratedBytesOfEveryTensor() throws Exception {
        DemoSample.Prepared prepared = DemoSample.ensure(dir, TINY, quiet());
        assertFalse(prepared.reused());
        assertEquals(dir.resolve("sample-v1-test.gguf"), prepared.path());
        GgufFile file = GgufFile.read(prepared.path());
        assertEquals(TINY.fileSize(), file.fileSize());
        assertEquals(6, file.layers().size());
        assertEquals(
                DemoSample.VERSION, file.metadata(DemoSample.VERSION_KEY).orElseThrow().asLong());
        try (FileChannel channel = FileChannel.open(prepared.path())) {
            for (GgufTensor tensor : file.tensors()) {
                ByteBuffer actual = ByteBuffer.allocate((int) tensor.byteSize());
                channel.read(actual, tensor.fileOffset());
                assertArrayEquals(
                        fill(DemoSample.seed(tensor.name()), tensor.byteSize()),
                        actual.array(),
                        tensor.name());
            }
        }
    }

    @Test
    void reusesAValidSampleWithoutWritingIt() throws Exception {
        Path path = DemoSample.ensure(dir, TINY, quiet()).path();
        FileTime old = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(path, old);
        DemoSample.Prepared again = DemoSample.ensure(dir, TINY, quiet());
        assertTrue(again.reused());
        assertEquals(old, Files.getLastModifiedTime(path));
    }

    @Test
    void rewritesATruncatedSampleAndSaysWhy() throws Exception {
        Path path = DemoSample.ensure(dir, TINY, quiet()).path();
        try (FileChannel channel = FileChannel.open(path, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        DemoSample.Prepared again;
        try (DemoProgress progress =
                new DemoProgress(
                        DemoProgress.Mode.LINES,
                        new PrintStream(err, true, StandardCharsets.UTF_8))) {
            again = DemoSample.ensure(dir, TINY, progress);
        }
        assertFalse(again.reused());
        assertEquals(TINY.fileSize(), Files.size(path));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).startsWith("rewriting " + path + ": "),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheProblemWithAFileThatIsNotTheSample() throws Exception {
        GgufWriter tiny = TINY.writer(new AtomicLong());
        Path other = dir.resolve("other.gguf");
        GgufWriter.builder()
                .addMetadata(DemoSample.VERSION_KEY, GgufValue.uint32(DemoSample.VERSION + 1))
                .addTensor("a", dev.memory64.gguf.GgmlType.F32, new long[] {4}, new byte[16])
                .build()
                .write(other);
        assertEquals(
                "not this demo's sample version " + DemoSample.VERSION,
                DemoSample.problem(other, tiny).orElseThrow());

        Path bigger =
                DemoSample.ensure(dir, new DemoSample.Spec("test", 4, 256, 512, 1000), quiet())
                        .path();
        assertTrue(DemoSample.problem(bigger, tiny).orElseThrow().startsWith("size "));

        Path text = Files.writeString(dir.resolve("text.gguf"), "not gguf");
        assertTrue(
                DemoSample.problem(text, tiny)
                        .orElseThrow()
                        .startsWith("not a readable GGUF file"));

        Path good = DemoSample.ensure(dir, TINY, quiet()).path();
        assertTrue(DemoSample.problem(good, tiny).isEmpty());
    }

    @Test
    void refusesToWriteWithoutEnoughDiskSpace() {
        DemoException e =
                assertThrows(
                        DemoException.class,
                        () -> DemoSample.ensure(dir, TINY, quiet(), d -> 1000));
        assertTrue(
                e.getMessage().startsWith("not enough free disk space in " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("--dir PATH"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(TINY.fileName())));
    }

    @Test
    void leavesNoTemporaryAndRemovesThoseOfDeadRuns() throws Exception {
        Path dead = Files.writeString(dir.resolve(TINY.fileName() + ".999999999.tmp"), "x");
        Path foreign = Files.writeString(dir.resolve(TINY.fileName() + ".notapid.tmp"), "x");
        DemoSample.ensure(dir, TINY, quiet());
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(foreign));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
        }
        assertNotEquals(0, Files.size(dir.resolve(TINY.fileName())));
    }
}
