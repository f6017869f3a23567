package com.partnermix.dq;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckFileParserTest {

    private static String errorOf(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> CheckFileParser.parse("t.yaml", yaml)).getMessage();
    }

    @Test
    void everyShippedCheckFileParsesAndExplainsEachCheck() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("data-quality"))) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertFalse(yamls.isEmpty());
            for (Path file : yamls) {
                CheckFile parsed = CheckFileParser.parse(file);
                assertEquals(file.getFileName().toString(), parsed.table() + ".yaml", "file name must match its table");
                parsed.checks().forEach(c -> assertTrue(c.why().length() > 20, file + " " + c.name() + " needs a why"));
            }
        }
    }

    @Test
    void aValidFileBecomesTypedChecks() {
        CheckFile file = CheckFileParser.parse("t.yaml", """
                table: bronze.orders
                run_slice: "delivery_date = '{date}'"
                checks:
                  - name: key_unique
                    rule: unique
                    columns: [order_id, updated_ts]
                    scope: table
                    level: error
                    why: one version per key
                  - name: mostly_recent
                    rule: satisfies
                    predicate: "order_date >= date_sub('{date}', 60)"
                    min_fraction: 0.95
                    level: warning
                    why: old orders arriving now are unusual
                """);
        assertEquals("bronze", file.layer());
        assertEquals(List.of("order_id", "updated_ts"), file.checks().get(0).list("columns"));
        assertEquals("table", file.checks().get(0).scope());
        assertEquals("run", file.checks().get(1).scope());
        assertEquals(CheckSpec.Level.WARNING, file.checks().get(1).level());
        assertEquals("order_date >= date_sub('2026-11-20', 60)",
                file.checks().get(1).forDate(java.time.LocalDate.parse("2026-11-20")).text("predicate"));
        assertEquals(10, file.checks().get(1).line());
    }

    @Test
    void brokenYamlNamesFileAndLine() {
        assertTrue(errorOf("table: bronze.orders\nchecks:\n  - name: [unclosed\n").startsWith("t.yaml:4:"),
                errorOf("table: bronze.orders\nchecks:\n  - name: [unclosed\n"));
    }

    @Test
    void unknownRuleNamesItsLineAndTheKnownRules() {
        String message = errorOf("table: bronze.orders\nchecks:\n  - name: a\n    rule: is_nice\n    level: error\n    why: w\n");
        assertTrue(message.startsWith("t.yaml:4: unknown rule 'is_nice'") && message.contains("contained_in"), message);
    }

    @Test
    void missingAndMisspelledKeysAreErrors() {
        assertTrue(errorOf("table: bronze.orders\nchecks:\n  - name: a\n    rule: complete\n    level: error\n    why: w\n")
                .startsWith("t.yaml:3: rule 'complete' needs 'column'"));
        assertTrue(errorOf("table: bronze.orders\nchecks:\n  - name: a\n    rule: complete\n    colum: x\n    level: error\n    why: w\n")
                .startsWith("t.yaml:5: rule 'complete' has no key 'colum'"));
        assertTrue(errorOf("table: bronze.orders\nchecks:\n  - name: a\n    rule: complete\n    column: x\n    level: fatal\n    why: w\n")
                .startsWith("t.yaml:6: level must be error or warning"));
        assertTrue(errorOf("table: orders\nchecks: []\n").startsWith("t.yaml:1: table must be <schema>.<name>"));
    }

    @Test
    void runScopeNeedsARunSlice() {
        assertTrue(errorOf("table: silver.x\nchecks:\n  - name: a\n    rule: complete\n    column: x\n    scope: run\n    level: error\n    why: w\n")
                .contains("scope run needs a run_slice"));
    }
}
