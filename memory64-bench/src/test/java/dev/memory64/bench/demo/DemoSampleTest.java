package dev.memory64.bench.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.bench.support.PseudoRandomBytes;
import dev.memory64.bench.support.PseudoRandomBytesTest;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufTensor;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample model: its layout, its content, writing it safely and reusing it. */
class DemoSampleTest {

    /** Six layers of about 1.7 MB in all. */
    static final DemoSample.Spec TINY = new DemoSample.Spec("test", 3, 256, 512, 1000);

    @TempDir Path dir;

    static DemoProgress quiet() {
        return new DemoProgress(DemoProgress.Mode.NONE, System.err);
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
                        PseudoRandomBytesTest.fill(
                                PseudoRandomBytes.seed(tensor.name()), tensor.byteSize()),
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
