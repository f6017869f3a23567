package com.partnermix.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link PartnermixConfig} from a YAML file, its {@code include:}d files and
 * {@code key.path=value} overrides. String values may use {@code ${VAR}} or
 * {@code ${VAR:-default}} to read the environment (secrets such as the PII salt, and
 * {@code PARTNERMIX_HOME} for folders inside the repo).
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private ConfigLoader() {}

    public static PartnermixConfig load(Path file, List<String> overrides) {
        return load(file, overrides, System.getenv());
    }

    static PartnermixConfig load(Path file, List<String> overrides, Map<String, String> env) {
        ObjectNode tree = readWithIncludes(file);
        for (String override : overrides) {
            applyOverride(tree, override);
        }
        substituteEnv(tree, env);
        try {
            return YAML.treeToValue(tree, PartnermixConfig.class);
        } catch (JsonProcessingException e) {
            String where = e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping
                    ? " at " + mapping.getPathReference() : "";
            throw new IllegalArgumentException("Invalid configuration " + file + " (with overrides " + overrides
                    + "): " + e.getOriginalMessage() + where, e);
        }
    }

    /** The same configuration with every folder moved (benchmark and demo scratch space). */
    public static PartnermixConfig withPaths(PartnermixConfig c, String warehouse, String landing, String groundTruth,
                                             String checkpoints) {
        return c.withPaths(new PartnermixConfig.Paths(warehouse, landing, groundTruth, checkpoints),
                new PartnermixConfig.DataQuality(c.dataQuality().checksDir(), warehouse + "/dq/_deequ_metrics.json"));
    }

    /** The raw merged tree, for subcommands that read their own sections (for instance data-quality files). */
    static ObjectNode readWithIncludes(Path file) {
        JsonNode node;
        try {
            node = YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Malformed configuration file " + file + " at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("Configuration file " + file + " must hold a YAML mapping");
        }
        ObjectNode own = (ObjectNode) node;
        JsonNode includes = own.remove("include");
        ObjectNode merged = YAML.createObjectNode();
        if (includes != null) {
            Iterable<JsonNode> list = includes.isArray() ? includes : List.of(includes);
            for (JsonNode include : list) {
                deepMerge(merged, readWithIncludes(file.toAbsolutePath().getParent().resolve(include.asText())));
            }
        }
        deepMerge(merged, own);
        return merged;
    }

    /** Later values win; mappings merge key by key, everything else is replaced. */
    static void deepMerge(ObjectNode target, ObjectNode source) {
        Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = target.get(field.getKey());
            if (existing != null && existing.isObject() && field.getValue().isObject()) {
                deepMerge((ObjectNode) existing, (ObjectNode) field.getValue());
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    /**
     * {@code spark.shuffle_partitions=8} sets a nested key; the value is read as a YAML scalar
     * (so numbers and booleans keep their type). Keys inside {@code spark.settings} may contain
     * dots: everything after {@code spark.settings.} is one key.
     */
    static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("Override '" + override + "' must look like key.path=value");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1);
        List<String> parts = key.startsWith("spark.settings.")
                ? List.of("spark", "settings", key.substring("spark.settings.".length()))
                : List.of(key.split("\\."));
        ObjectNode node = tree;
        for (String part : parts.subList(0, parts.size() - 1)) {
            JsonNode child = node.get(part);
            if (child == null || !child.isObject()) {
                child = node.putObject(part);
            }
            node = (ObjectNode) child;
        }
        JsonNode parsed;
        try {
            parsed = value.isEmpty() ? TextNode.valueOf("") : YAML.readTree(value);
        } catch (JsonProcessingException e) {
            parsed = TextNode.valueOf(value);
        }
        node.set(parts.get(parts.size() - 1), parsed == null ? TextNode.valueOf(value) : parsed);
    }

    static void substituteEnv(JsonNode node, Map<String, String> env) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isTextual()) {
                    field.setValue(TextNode.valueOf(expand(field.getValue().asText(), env)));
                } else {
                    substituteEnv(field.getValue(), env);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(expand(array.get(i).asText(), env)));
                } else {
                    substituteEnv(array.get(i), env);
                }
            }
        }
    }

    static String expand(String text, Map<String, String> env) {
        Matcher m = ENV_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null || value.isEmpty()) {
                value = m.group(2);
            }
            if (value == null) {
                throw new IllegalArgumentException("Configuration refers to environment variable " + m.group(1)
                        + ", which is not set and has no default");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
