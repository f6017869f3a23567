package com.partnermix.tools;

import org.junit.jupiter.api.Test;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package structure a newcomer can follow: no package of either module depends on itself through others, the
 * launcher ({@code cli}) is used by no stage, and core names none of the tools' packages.
 */
class PackageDependenciesTest {

    private static final Path CORE = Path.of("jobs/core/src/main/java/com/partnermix");
    private static final Path TOOLS = Path.of("jobs/tools/src/main/java/com/partnermix");
    private static final Set<String> TOOL_PACKAGES = Set.of("generate", "bench", "demo", "tools");
    private static final Pattern REFERENCE = Pattern.compile("com\\.partnermix\\.([a-z]+)\\b");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Map<String, Set<String>> uses = uses(CORE);
        uses(TOOLS).forEach((pkg, used) -> uses.computeIfAbsent(pkg, p -> new TreeSet<>()).addAll(used));
        assertEquals(List.of(), cycles(uses), "package cycles; dependencies: " + uses);
    }

    @Test
    void coreNamesNoToolAndNoStageUsesTheLauncher() {
        Map<String, Set<String>> uses = uses(CORE);
        uses.forEach((pkg, used) -> {
            assertTrue(used.stream().noneMatch(TOOL_PACKAGES::contains), pkg + " uses a tool: " + used);
            if (!pkg.equals("cli")) {
                assertTrue(!used.contains("cli"), pkg + " uses the launcher");
            }
        });
        assertTrue(uses.keySet().containsAll(Set.of("ingest", "journeys", "attribution", "fraud", "marts", "cli")),
                "core's packages not found: " + uses.keySet());
    }

    @Test
    void theCycleFinderFindsADirectAndAnIndirectCycleAndNothingInATree() {
        assertEquals(List.of(List.of("a", "b")), cycles(Map.of("a", Set.of("b"), "b", Set.of("a"), "c", Set.of("a"))));
        assertEquals(List.of(List.of("x", "y", "z")),
                cycles(Map.of("x", Set.of("y"), "y", Set.of("z"), "z", Set.of("x", "w"), "w", Set.of())));
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b", "c"), "b", Set.of("c"), "c", Set.of())));
    }

    /** Each package under {@code root} and the other com.partnermix packages its code names (comments left out). */
    static Map<String, Set<String>> uses(Path root) {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file).getName(0).toString();
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(COMMENT.matcher(Files.readString(file)).replaceAll(""));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return uses;
    }

    /** The groups of packages that reach each other (strongly connected, more than one), each sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> uses) {
        List<List<String>> cycles = new ArrayList<>();
        Set<String> placed = new TreeSet<>();
        for (String pkg : new TreeSet<>(uses.keySet())) {
            if (placed.contains(pkg)) {
                continue;
            }
            Set<String> group = new TreeSet<>();
            for (String other : reachable(uses, pkg)) {
                if (reachable(uses, other).contains(pkg)) {
                    group.add(other);
                }
            }
            placed.addAll(group);
            if (group.size() > 1) {
                cycles.add(List.copyOf(group));
            }
        }
        return cycles;
    }

    private static Set<String> reachable(Map<String, Set<String>> uses, String from) {
        Set<String> seen = new TreeSet<>(Set.of(from));
        List<String> todo = new ArrayList<>(List.of(from));
        while (!todo.isEmpty()) {
            for (String next : uses.getOrDefault(todo.remove(todo.size() - 1), Set.of())) {
                if (seen.add(next)) {
                    todo.add(next);
                }
            }
        }
        return seen;
    }
}
