package dev.memory64.bench.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Member;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every class and member that docs/ARCHITECTURE.md names in backticks exists: a class of the
 * project (main code, found by reflection whatever its visibility; tests, found by their source
 * file and the method in it) or of the JDK and Chicory packages the page talks about.
 */
class ArchitectureDocTest {

    private static final Path ROOT = findRoot();

    /** Where a simple class name is looked for, in order. */
    private static final List<String> PACKAGES =
            List.of(
                    "dev.memory64",
                    "dev.memory64.abi",
                    "dev.memory64.gguf",
                    "dev.memory64.safetensors",
                    "dev.memory64.model",
                    "dev.memory64.internal",
                    "dev.memory64.linear",
                    "dev.memory64.chicory",
                    "dev.memory64.endive",
                    "dev.memory64.micrometer",
                    "dev.memory64.bench",
                    "dev.memory64.bench.demo",
                    "dev.memory64.bench.support",
                    "java.lang",
                    "java.lang.foreign",
                    "java.nio",
                    "java.nio.channels",
                    "com.dylibso.chicory.runtime",
                    "io.micrometer.core.instrument.binder",
                    "com.dylibso.chicory.wasm");

    /** A backticked class name, optionally followed by nested classes or a member. */
    private static final Pattern NAME =
            Pattern.compile("`([A-Z][A-Za-z0-9]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\\([^`]*\\))?`");

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/ARCHITECTURE.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docs/ARCHITECTURE.md above the working directory");
        }
        return dir;
    }

    static Set<String> namesIn(String markdown) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = NAME.matcher(markdown);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void shouldNameOnlyClassesAndMethodsThatExist() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/ARCHITECTURE.md"));
        Set<String> names = namesIn(doc);
        assertTrue(names.size() > 40, "found only " + names);
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (!exists(name)) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "named in docs/ARCHITECTURE.md but not found");
    }

    @Test
    void shouldNoticeANameThatDoesNotExist() {
        assertTrue(exists("Memory64Store.copyTo"));
        assertTrue(exists("StoreAccess.Hooks.recordError"));
        assertTrue(exists("ConcurrentGuestsTest.severalGuestsOnSeveralThreadsLoadCorrectlyAtOnce"));
        assertTrue(!exists("Memory64Store.recordError"));
        assertTrue(!exists("Memory64Store.CHUNK_SIZE"));
        assertTrue(!exists("NoSuchClass"));
        assertTrue(!exists("ConcurrentGuestsTest.noSuchTest"));
        assertEquals(
                Set.of("A.b", "Memory64Store", "X"),
                Set.copyOf(namesIn("`A.b(c, d)` and `Memory64Store` but not `long[]`, `x`; `X`")));
    }

    private static boolean exists(String name) {
        String[] parts = name.split("\\.");
        Optional<Class<?>> top = classNamed(parts[0]);
        if (top.isEmpty()) {
            return parts.length <= 2
                    && testSourceHas(parts[0], parts.length == 2 ? parts[1] : null);
        }
        Class<?> current = top.get();
        for (int i = 1; i < parts.length; i++) {
            Class<?> nested = nestedClass(current, parts[i]);
            if (nested != null) {
                current = nested;
            } else if (i == parts.length - 1) {
                return hasMember(current, parts[i]);
            } else {
                return false;
            }
        }
        return true;
    }

    private static Optional<Class<?>> classNamed(String simpleName) {
        for (String pkg : PACKAGES) {
            try {
                return Optional.of(
                        Class.forName(
                                pkg + "." + simpleName,
                                false,
                                ArchitectureDocTest.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                // not in this package
            }
        }
        return Optional.empty();
    }

    private static Class<?> nestedClass(Class<?> owner, String simpleName) {
        for (Class<?> nested : owner.getDeclaredClasses()) {
            if (nested.getSimpleName().equals(simpleName)) {
                return nested;
            }
        }
        return null;
    }

    private static boolean hasMember(Class<?> type, String member) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            List<Member> members = new ArrayList<>();
            members.addAll(List.of(c.getDeclaredMethods()));
            members.addAll(List.of(c.getDeclaredFields()));
            for (Member m : members) {
                if (m.getName().equals(member)) {
                    return true;
                }
            }
            for (Class<?> i : c.getInterfaces()) {
                if (hasMember(i, member)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A test class is found by its source file, and a test method by its declaration there. */
    private static boolean testSourceHas(String className, String method) {
        if (!className.endsWith("Test")) {
            return false;
        }
        try (Stream<Path> files = Files.walk(ROOT, 12)) {
            return files.filter(p -> p.toString().contains("/src/test/java/"))
                    .filter(p -> p.getFileName().toString().equals(className + ".java"))
                    .anyMatch(p -> method == null || declares(p, method));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean declares(Path source, String method) {
        try {
            return Pattern.compile("\\b(void|[A-Za-z<>\\[\\]]+)\\s+" + method + "\\s*\\(")
                    .matcher(Files.readString(source))
                    .find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
