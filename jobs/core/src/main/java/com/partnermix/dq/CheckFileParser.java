package com.partnermix.dq;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads {@code data-quality/<schema>.<table>.yaml} files. SnakeYAML's node tree keeps the line
 * of every value, so a mistake is reported as {@code file:line: what is wrong}.
 */
public final class CheckFileParser {

    private CheckFileParser() {}

    /** Every check file of a layer (bronze, silver, gold) in a folder, sorted by name. */
    public static List<CheckFile> layer(Path folder, String layer) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().startsWith(layer + ".")
                            && p.getFileName().toString().endsWith(".yaml"))
                    .sorted().map(CheckFileParser::parse).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list data-quality checks in " + folder + ": " + e.getMessage(), e);
        }
    }

    public static CheckFile parse(Path file) {
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static CheckFile parse(String name, String text) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new CheckFileException(name, line, "not valid YAML: " + e.getProblem());
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new CheckFileException(name, 1, "a check file is a mapping with 'table' and 'checks'");
        }
        Map<String, Node> top = entries(name, mapping, Set.of("table", "run_slice", "checks", "optional"));
        String table = scalar(name, top, "table", mapping, true);
        if (!table.matches("(bronze|silver|gold|dq)\\.[a-z_0-9]+")) {
            throw new CheckFileException(name, line(top.get("table")), "table must be <schema>.<name> in bronze, silver, gold or dq, got " + table);
        }
        String runSlice = scalar(name, top, "run_slice", mapping, false);
        Node checksNode = top.get("checks");
        if (!(checksNode instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            throw new CheckFileException(name, checksNode == null ? line(mapping) : line(checksNode),
                    "'checks' must be a non-empty list");
        }
        List<CheckSpec> checks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node node : sequence.getValue()) {
            CheckSpec check = check(name, node, runSlice != null);
            if (!names.add(check.name())) {
                throw new CheckFileException(name, check.line(), "two checks are named '" + check.name() + "'");
            }
            checks.add(check);
        }
        String optional = scalar(name, top, "optional", mapping, false);
        if (optional != null && !optional.equals("true") && !optional.equals("false")) {
            throw new CheckFileException(name, line(top.get("optional")), "optional must be true or false, got " + optional);
        }
        return new CheckFile(name, table, runSlice, List.copyOf(checks), "true".equals(optional));
    }

    private static CheckSpec check(String file, Node node, boolean hasRunSlice) {
        if (!(node instanceof MappingNode mapping)) {
            throw new CheckFileException(file, line(node), "each check is a mapping with name, rule, level and why");
        }
        Map<String, Node> fields = entries(file, mapping, null);
        String rule = scalar(file, fields, "rule", mapping, true);
        List<String> required = Rules.REQUIRED.get(rule);
        if (required == null) {
            throw new CheckFileException(file, line(fields.get("rule")), "unknown rule '" + rule + "'; known rules: "
                    + Rules.REQUIRED.keySet().stream().sorted().toList());
        }
        Set<String> allowed = new HashSet<>(Rules.COMMON);
        allowed.addAll(required);
        allowed.addAll(Rules.OPTIONAL.getOrDefault(rule, Set.of()));
        for (Map.Entry<String, Node> field : fields.entrySet()) {
            if (!allowed.contains(field.getKey())) {
                throw new CheckFileException(file, line(field.getValue()), "rule '" + rule + "' has no key '"
                        + field.getKey() + "'; it takes " + allowed.stream().sorted().toList());
            }
        }
        for (String key : required) {
            if (!fields.containsKey(key)) {
                throw new CheckFileException(file, line(mapping), "rule '" + rule + "' needs '" + key + "'");
            }
        }
        String levelText = scalar(file, fields, "level", mapping, true);
        CheckSpec.Level level = switch (levelText) {
            case "error" -> CheckSpec.Level.ERROR;
            case "warning" -> CheckSpec.Level.WARNING;
            default -> throw new CheckFileException(file, line(fields.get("level")), "level must be error or warning, got " + levelText);
        };
        String scope = fields.containsKey("scope") ? scalar(file, fields, "scope", mapping, true) : (hasRunSlice ? "run" : "table");
        if (!scope.equals("run") && !scope.equals("table")) {
            throw new CheckFileException(file, line(fields.get("scope")), "scope must be run or table, got " + scope);
        }
        if (scope.equals("run") && !hasRunSlice) {
            throw new CheckFileException(file, line(mapping), "scope run needs a run_slice at the top of the file");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        for (Map.Entry<String, Node> field : fields.entrySet()) {
            if (!Rules.COMMON.contains(field.getKey())) {
                params.put(field.getKey(), value(file, field.getValue()));
            }
        }
        for (String numeric : List.of("min", "min_fraction", "min_ratio", "max_ratio", "min_history")) {
            if (params.containsKey(numeric)) {
                try {
                    Double.parseDouble(params.get(numeric).toString());
                } catch (NumberFormatException e) {
                    throw new CheckFileException(file, line(fields.get(numeric)), numeric + " must be a number");
                }
            }
        }
        return new CheckSpec(scalar(file, fields, "name", mapping, true), rule, level,
                scalar(file, fields, "why", mapping, true), scope, scalar(file, fields, "where", mapping, false),
                params, line(mapping));
    }

    private static Map<String, Node> entries(String file, MappingNode mapping, Set<String> allowed) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw new CheckFileException(file, line(tuple.getKeyNode()), "keys must be plain words");
            }
            if (allowed != null && !allowed.contains(key.getValue())) {
                throw new CheckFileException(file, line(key), "unknown key '" + key.getValue() + "'; expected " + allowed);
            }
            out.put(key.getValue(), tuple.getValueNode());
        }
        return out;
    }

    private static String scalar(String file, Map<String, Node> fields, String key, Node parent, boolean required) {
        Node node = fields.get(key);
        if (node == null) {
            if (required) {
                throw new CheckFileException(file, line(parent), "missing '" + key + "'");
            }
            return null;
        }
        if (!(node instanceof ScalarNode scalar) || scalar.getValue().isBlank()) {
            throw new CheckFileException(file, line(node), "'" + key + "' must be a non-empty text");
        }
        return scalar.getValue();
    }

    private static Object value(String file, Node node) {
        if (node instanceof ScalarNode scalar) {
            return scalar.getValue();
        }
        if (node instanceof SequenceNode sequence) {
            List<String> values = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                if (!(item instanceof ScalarNode scalar)) {
                    throw new CheckFileException(file, line(item), "list items must be plain values");
                }
                values.add(scalar.getValue());
            }
            return List.copyOf(values);
        }
        throw new CheckFileException(file, line(node), "expected a value or a list");
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /** A malformed check file: names the file and the line. */
    public static final class CheckFileException extends IllegalArgumentException {
        public CheckFileException(String file, int line, String message) {
            super(file + ":" + line + ": " + message);
        }
    }
}
