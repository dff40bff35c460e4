package dev.memory64.bench.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The project's packages import downwards only: the import graph of main code has no cycle. */
class PackageImportsTest {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern IMPORT =
            Pattern.compile("(?m)^import (?:static )?(dev\\.memory64(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    static Map<String, Set<String>> importGraph(Path root) {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root, 14)) {
            for (Path file :
                    files.filter(p -> p.toString().contains("/src/main/java/"))
                            .filter(p -> p.toString().endsWith(".java"))
                            .filter(p -> !p.getFileName().toString().endsWith("-info.java"))
                            .toList()) {
                String source = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(source);
                if (!pkg.find()) {
                    continue;
                }
                Set<String> edges = graph.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
                Matcher imports = IMPORT.matcher(source);
                while (imports.find()) {
                    if (!imports.group(1).equals(pkg.group(1))) {
                        edges.add(imports.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** Returns one cycle as a path of packages, or an empty list. */
    static List<String> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>(); // 1 on the path, 2 done
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, graph, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(
            String node,
            Map<String, Set<String>> graph,
            Map<String, Integer> state,
            List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return false;
        }
        path.add(node);
        if (s != null && s == 1) {
            return true;
        }
        state.put(node, 1);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (visit(next, graph, state, path)) {
                return true;
            }
        }
        state.put(node, 2);
        path.removeLast();
        return false;
    }

    @Test
    void shouldHaveNoPackageCycleInMainCode() {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(root.resolve("docs/ARCHITECTURE.md"))) {
            root = root.getParent();
        }
        Map<String, Set<String>> graph = importGraph(root);
        assertTrue(graph.containsKey("dev.memory64.abi"), graph.keySet().toString());
        assertEquals(List.of(), findCycle(graph), "import cycle");
        assertEquals(Set.of(), graph.get("dev.memory64.internal"), "the bottom imports nothing");
        assertTrue(!graph.get("dev.memory64").contains("dev.memory64.abi"));
    }

    @Test
    void shouldFindACycleWhereThereIsOne() {
        assertEquals(
                List.of("a", "b", "c", "a"),
                findCycle(
                        new TreeMap<>(
                                Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")))));
        assertEquals(List.of(), findCycle(Map.of("a", Set.of("b"), "b", Set.of())));
    }
}
