package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

/**
 * One fraud or parasitic last-click rule: from the night's inputs (the timeline, the journeys' clicks, the
 * credited clicks, the partner metrics, see {@link FraudInputs}) to findings that carry the signals they rest
 * on. The job scores the signals with the weights of the rule's settings ({@code fraud.rules.<configKey>}) and
 * proposes the rule's action only from the rule's {@code action_min_score} on. Adding a rule: one class, a line
 * in {@link FraudRules#REGISTRY} and its settings in {@code conf/business.yaml}.
 */
public interface FraudRule {

    /** What a finding (and a label of the rule) names: how {@code fraud --evaluate} matches them. */
    enum Level {
        /** an order (order-level rules: one finding per order and click) */
        ORDER,
        /** a click that may not belong to any order yet (detection scope: the click's date) */
        CLICK,
        /** a partner (detection scope: the night's partner checks) */
        PARTNER
    }

    /** gold.fraud_flags.rule_code. */
    String code();

    /** The key of the rule's settings under {@code fraud.rules}. */
    String configKey();

    Level level();

    /** Names of the numeric settings the rule reads: its settings must name exactly these. */
    List<String> thresholds();

    /** Names of the list settings the rule reads. */
    default List<String> lists() {
        return List.of();
    }

    /** Names of the signals of its findings, in the order of the findings' {@code signals} array. */
    List<String> signals();

    /**
     * The findings: {@link FraudRules#FINDING_COLUMNS} and {@code signals} (see {@link #signals(Column...)});
     * CLICK rules add {@code click_date}, PARTNER rules may add {@code metric}.
     */
    Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings);

    /** The signals array of a finding: one {@link #signal} per name of {@link #signals()}, in that order. */
    static Column signals(Column... signals) {
        return array(signals).as("signals");
    }

    /** A signal: its name, the measured value and whether it holds (a null condition does not hold). */
    static Column signal(String name, Column value, Column holds) {
        return struct(lit(name).as("name"), value.cast("double").as("value"),
                coalesce(holds, lit(false)).as("holds"));
    }

    /** A yes/no signal: its value is 1 when it holds. */
    static Column signal(String name, Column holds) {
        Column h = coalesce(holds, lit(false));
        return signal(name, org.apache.spark.sql.functions.when(h, 1.0).otherwise(0.0), h);
    }
}
