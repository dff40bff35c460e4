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

    /**
     * The table of docs/ARCHITECTURE.md ("Packages and what each may import") is the import rule:
     * every package of the library's main code has a row, and imports only what its row's last
     * column names ({@code internal} short for {@code dev.memory64.internal}; "the core's exported
     * packages" for those that module-info exports to everyone).
     */
    @Test
    void shouldImportOnlyWhatTheArchitectureTableAllows() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(root.resolve("docs/ARCHITECTURE.md"))) {
            root = root.getParent();
        }
        Map<String, Set<String>> allowed = allowedImports(root);
        Map<String, Set<String>> graph = importGraph(root);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> entry : graph.entrySet()) {
            String pkg = entry.getKey();
            if (pkg.startsWith("dev.memory64.bench") || pkg.startsWith("dev.memory64.aot")) {
                continue; // the bench is not a library: its own table in the modules section
            }
            Set<String> may = allowed.get(pkg);
            if (may == null) {
                wrong.add(pkg + " has no row");
                continue;
            }
            for (String imported : entry.getValue()) {
                if (!may.contains(imported)) {
                    wrong.add(pkg + " imports " + imported + ", which its row does not name");
                }
            }
        }
        assertEquals(List.of(), wrong, "docs/ARCHITECTURE.md's package table");
    }

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** Package to the packages its row in ARCHITECTURE.md lets it import. */
    static Map<String, Set<String>> allowedImports(Path root) throws IOException {
        String doc = Files.readString(root.resolve("docs/ARCHITECTURE.md"));
        int from = doc.indexOf("## Packages and what each may import");
        String table = doc.substring(from, doc.indexOf("\n## ", from + 1));
        Set<String> exported = new TreeSet<>();
        Matcher exports =
                Pattern.compile("(?m)^\\s*exports ([\\w.]+);")
                        .matcher(
                                Files.readString(
                                        root.resolve(
                                                "memory64-core/src/main/java/module-info.java")));
        while (exports.find()) {
            exported.add(exports.group(1));
        }
        Map<String, Set<String>> allowed = new TreeMap<>();
        for (String line : table.lines().toList()) {
            String[] cells = line.split("\\|");
            if (cells.length < 5 || !cells[1].contains("`dev.memory64")) {
                continue;
            }
            Set<String> may = new TreeSet<>();
            String imports = cells[cells.length - 1];
            if (imports.contains("the core's exported packages")) {
                may.addAll(exported);
            }
            Matcher names = CODE.matcher(imports);
            while (names.find()) {
                String name = names.group(1);
                may.add(name.startsWith("dev.memory64") ? name : "dev.memory64." + name);
            }
            Matcher packages = CODE.matcher(cells[1]);
            while (packages.find()) {
                allowed.put(packages.group(1), may);
            }
        }
        return allowed;
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
