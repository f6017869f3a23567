package com.partnermix.dq;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How many passes over a scope's rows a check file makes: above one, the gate reads the rows once and caches them. */
class DqPassesTest {

    private static final String HEADER = """
            table: gold.attribution_credit
            run_slice: "run_date = '{date}'"
            checks:
            """;

    @Test
    void checksWithoutAFilterShareOnePassAndTableScopedChecksReadTheTable() {
        CheckFile file = CheckFileParser.parse("t.yaml", HEADER + """
                  - name: keys_complete
                    rule: complete
                    column: order_id
                    level: error
                    why: every credit row belongs to an order
                  - name: credit_in_range
                    rule: satisfies
                    predicate: "credit >= 0 AND credit <= 1"
                    level: error
                    why: a share outside zero and one is a model bug
                  - name: key_unique_everywhere
                    rule: unique
                    columns: [order_id, model, position]
                    scope: table
                    level: error
                    why: a touch credited twice would overpay its partner
                """);
        assertEquals(1, DqJob.passes(file, "run"));
        assertEquals(1, DqJob.passes(file, "table"));
    }

    @Test
    void uniquenessGroupSumsAndEachFilterMakeTheirOwnPass() {
        CheckFile file = CheckFileParser.parse("t.yaml", HEADER + """
                  - name: credit_key_unique
                    rule: unique
                    columns: [order_id, model, position]
                    level: error
                    why: a touch credited twice would overpay its partner
                  - name: credit_in_range
                    rule: satisfies
                    predicate: "credit >= 0 AND credit <= 1"
                    level: error
                    why: a share outside zero and one is a model bug
                  - name: credits_sum_to_one
                    rule: group_sum
                    column: credit
                    group_by: [order_id, model]
                    expected: 1.0
                    level: error
                    why: every model distributes exactly one order
                  - name: attributed_share
                    rule: satisfies
                    predicate: "event_id IS NOT NULL"
                    where: "model = 'linear'"
                    min_fraction: 0.3
                    level: warning
                    why: when few orders carry a touch, a tracker feed is broken
                  - name: linear_complete
                    rule: complete
                    column: event_id
                    where: "model = 'linear'"
                    level: warning
                    why: the same filter as the share above, so one pass for both
                """);
        // unique 1 + group_sum 1 + the unfiltered checks 1 + the checks filtered on linear 1
        assertEquals(4, DqJob.passes(file, "run"));
        assertEquals(0, DqJob.passes(file, "table"));
    }
}
