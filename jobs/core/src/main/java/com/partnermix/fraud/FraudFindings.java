package com.partnermix.fraud;

import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The pure steps of the nightly detection ({@link FraudJob#detect}) from the rules' findings to the rows of
 * gold.fraud_flags and gold.partner_anomalies: no reads, no writes, so a test can feed them a few rows.
 */
final class FraudFindings {

    private FraudFindings() {}

    /** gold.fraud_flags.signals: each signal a finding rests on, its measured value, whether it held, its weight. */
    static final String SIGNALS_TYPE = "array<struct<name:string,value:double,holds:boolean,weight:double>>";

    /** The columns of every finding before it is priced (see {@link #inScope}). */
    private static final String[] FLAG_SCHEMA = {"CAST(NULL AS STRING) rule_code", "CAST(NULL AS STRING) order_id",
            "CAST(NULL AS STRING) event_id", "CAST(NULL AS STRING) partner_id",
            "CAST(NULL AS STRING) displaced_partner_id", "CAST(NULL AS DOUBLE) measured_value",
            "CAST(NULL AS DOUBLE) threshold", "CAST(NULL AS STRING) detail",
            "CAST(NULL AS " + SIGNALS_TYPE + ") signals", "CAST(NULL AS DOUBLE) score",
            "CAST(NULL AS STRING) severity", "CAST(NULL AS STRING) proposed_action", "CAST(NULL AS STRING) metric",
            "CAST(NULL AS STRING) detection_scope"};

    /** No rule enabled still writes a night: its scopes are rebuilt empty. */
    static Dataset<Row> noFindings(SparkSession spark) {
        return spark.emptyDataFrame().selectExpr(FLAG_SCHEMA);
    }

    /**
     * A rule's scored findings with the detection scope a night rebuilds whole: {@code order:<id>} for the
     * order-level rules, {@code clicks:<date>} for click-level ones (each click linked to the order it would be
     * credited for, if any, through {@code journeyTouches}), {@code partners:<date>} for the partner-level ones.
     */
    static Dataset<Row> inScope(FraudRule rule, Dataset<Row> scored, Dataset<Row> journeyTouches, LocalDate date) {
        Dataset<Row> scoped = switch (rule.level()) {
            case ORDER -> scored.withColumn("detection_scope", concat(lit("order:"), col("order_id")));
            case CLICK -> scored.drop("order_id")
                    .join(journeyTouches.select("event_id", "order_id")
                            .where(col("order_id").isNotNull()).dropDuplicates("event_id"),
                            ScalaSeqs.of("event_id"), "left")
                    .withColumn("detection_scope", concat(lit("clicks:"), col("click_date").cast("string")));
            case PARTNER -> scored.withColumn("detection_scope", lit("partners:" + date));
        };
        if (!Arrays.asList(scoped.columns()).contains("metric")) {
            scoped = scoped.withColumn("metric", lit(null).cast("string"));
        }
        List<String> columns = new ArrayList<>(FraudRules.SCORED_COLUMNS);
        columns.addAll(List.of("metric", "detection_scope"));
        return scoped.selectExpr(columns.toArray(String[]::new))
                .withColumn("signals", col("signals").cast(SIGNALS_TYPE));
    }

    /**
     * The same finding gets the same id every night: its rule, its order, click, partner and metric, and for
     * the partner-level rules the night (a partner is judged anew each night).
     */
    static Column flagId() {
        return concat(lit("f_"), substring(sha2(concat_ws("|", col("rule_code"), coalesce(col("order_id"),
                lit("")), coalesce(col("event_id"), lit("")), coalesce(col("partner_id"), lit("")),
                coalesce(col("metric"), lit("")), when(col("detection_scope").startsWith("partners:"),
                        col("detection_scope")).otherwise(lit(""))), 256), 1, 24));
    }

    /**
     * Adds flag_id and commission_at_risk_usd: what the flagged partner would earn, its CPS share of the order when
     * it holds the last click plus the click's CPC price, in USD at the order's (or click's) date.
     *
     * @param examined the examined orders (order_id, order_date, revenue_usd, person_id, first_touch_ts, order_ts)
     * @param credited the credited click of each order (order_id, credited_partner_id)
     * @param rates    {@link com.partnermix.common.FxRates#dailyCalendar} of the night
     */
    static Dataset<Row> priced(Dataset<Row> findings, Dataset<Row> examined, Dataset<Row> credited,
                               Dataset<Row> partners, Dataset<Row> rates) {
        Dataset<Row> withOrder = findings
                .join(examined.select(col("order_id"), col("order_date"), col("revenue_usd"), col("person_id"),
                        col("first_touch_ts"), col("order_ts")), ScalaSeqs.of("order_id"), "left")
                .join(credited.select("order_id", "credited_partner_id"), ScalaSeqs.of("order_id"), "left")
                .join(broadcast(partners.select("partner_id", "payment_model", "cps_rate", "cpc_rate",
                        "rate_currency")), ScalaSeqs.of("partner_id"), "left")
                .join(rates.withColumnRenamed("currency", "rate_currency")
                        .withColumnRenamed("rate_date", "order_date"), ScalaSeqs.of("rate_currency", "order_date"), "left");
        Column cpsCommission = when(col("payment_model").isin("cps", "hybrid").and(col("partner_id")
                        .equalTo(col("credited_partner_id"))),
                coalesce(col("cps_rate"), lit(0)).multiply(coalesce(col("revenue_usd"), lit(0)))).otherwise(lit(0));
        Column cpcCommission = when(col("payment_model").equalTo("cpc").and(col("event_id").isNotNull()),
                coalesce(col("cpc_rate"), lit(0)).multiply(coalesce(col("usd_per_unit"), lit(1.0)))).otherwise(lit(0));
        return withOrder
                .withColumn("commission_at_risk_usd", cpsCommission.plus(cpcCommission).cast("decimal(18,4)"))
                .withColumn("flag_id", flagId());
    }

    /** The order's timeline as evidence of each flag (an empty one when there is none). */
    static Dataset<Row> withEvidence(Dataset<Row> priced, Dataset<Row> eventsWithOrders, boolean fewFlags) {
        return priced.join(Evidence.of(priced, eventsWithOrders, fewFlags), ScalaSeqs.of("flag_id"), "left")
                .withColumn("evidence", coalesce(col("evidence"), Evidence.none()));
    }

    /**
     * The rows of gold.fraud_flags: detected_date is kept from the first detection when a flag is found again.
     *
     * @param storedFlags gold.fraud_flags as stored before tonight, if the table exists
     */
    static Dataset<Row> asFlagRows(Dataset<Row> withEvidence, Optional<Dataset<Row>> storedFlags, LocalDate date) {
        Column tonight = lit(Date.valueOf(date));
        Column detected = tonight;
        Dataset<Row> withFirstDetection;
        if (storedFlags.isPresent()) {
            withFirstDetection = withEvidence.join(storedFlags.get().select(col("flag_id"),
                    col("detected_date").as("first_detected")), ScalaSeqs.of("flag_id"), "left");
            detected = coalesce(least(col("first_detected"), tonight), tonight);
        } else {
            withFirstDetection = withEvidence.withColumn("first_detected", lit(null).cast("date"));
        }
        return withFirstDetection.withColumn("detected_date", detected)
                .select("flag_id", "rule_code", "severity", "measured_value", "threshold", "order_id", "event_id",
                        "partner_id", "displaced_partner_id", "commission_at_risk_usd", "proposed_action", "evidence",
                        "detail", "metric", "order_date", "detection_scope", "detected_date", "signals", "score")
                .dropDuplicates("flag_id");
    }

    /** Flags and commission at risk per rule and proposed action, for the night's report. */
    static Dataset<Row> countsByRuleAndAction(Dataset<Row> flags) {
        return flags.groupBy("rule_code", "proposed_action")
                .agg(count("*").as("flags"), sum("commission_at_risk_usd").as("commission_at_risk_usd"));
    }

    /** One row of {@link #countsByRuleAndAction}. */
    record RuleActionCount(String ruleCode, String proposedAction, long flags, BigDecimal commissionAtRiskUsd) {
        static RuleActionCount of(Row row) {
            return new RuleActionCount(row.getAs("rule_code"), row.getAs("proposed_action"), row.<Long>getAs("flags"),
                    row.getAs("commission_at_risk_usd"));
        }
    }

    /** What the report tells of the flags. */
    record FlagTally(Map<String, Long> flagsByRule, Map<String, Map<String, Long>> flagsByAction,
                     double commissionAtRiskUsd) {

        static FlagTally of(List<RuleActionCount> counts) {
            Map<String, Long> byRule = new TreeMap<>();
            Map<String, Map<String, Long>> byAction = new TreeMap<>();
            double atRiskUsd = 0;
            for (RuleActionCount count : counts) {
                byRule.merge(count.ruleCode(), count.flags(), Long::sum);
                byAction.computeIfAbsent(count.ruleCode(), rule -> new TreeMap<>())
                        .put(count.proposedAction(), count.flags());
                atRiskUsd += count.commissionAtRiskUsd() == null ? 0 : count.commissionAtRiskUsd().doubleValue();
            }
            return new FlagTally(byRule, byAction, atRiskUsd);
        }

        long flags() {
            return flagsByRule.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The detection scopes a night rebuilds: the examined orders, the window's click dates, tonight's partner
     * checks. Changed orders are examined unless their journey vanished (a backfill to before they arrived):
     * their scope is rebuilt empty then.
     *
     * @param from first day of the window
     */
    static Dataset<Row> scopesRebuilt(SparkSession spark, Dataset<Row> examined, Dataset<Row> changedOrders,
                                      LocalDate from, int windowDays, LocalDate date) {
        return examined.select(concat(lit("order:"), col("order_id")).as("detection_scope"))
                .union(changedOrders.select(concat(lit("order:"), col("order_id")).as("detection_scope")))
                .union(spark.range(windowDays).select(concat(lit("clicks:"),
                        expr("cast(date_add(to_date('" + from + "'), cast(id as int)) as string)"))
                        .as("detection_scope")))
                .union(spark.range(1).select(lit("partners:" + date).as("detection_scope")));
    }

    /** gold.fraud_flags as tonight's write will leave it: the stored flags of other scopes, and tonight's. */
    static Dataset<Row> flagsAfterTonight(Dataset<Row> storedFlags, Dataset<Row> scopesRebuilt, Dataset<Row> tonight) {
        return storedFlags.join(scopesRebuilt, ScalaSeqs.of("detection_scope"), "left_anti")
                .selectExpr(tonight.columns())
                .unionByName(tonight);
    }

    /**
     * The orders whose adjusted credit may change tonight, not every examined order: those whose journey was
     * rebuilt, those that gain or lose a dropped touch, and examined orders that have no adjusted credit yet
     * (the first night, or one whose adjusted credit was never written).
     *
     * @param adjustedCreditOrders order_id of every order with adjusted credit stored, if the credit table exists
     */
    static Dataset<Row> ordersToRecredit(Dataset<Row> examined, Dataset<Row> changedOrders, Dataset<Row> droppedBefore,
                                         Dataset<Row> droppedAfter, Optional<Dataset<Row>> adjustedCreditOrders) {
        Dataset<Row> flagsChanged = droppedBefore.unionByName(droppedAfter).groupBy("order_id", "event_id").count()
                .where(col("count").equalTo(1)).select("order_id");   // in one of the two sets only
        Dataset<Row> withoutAdjusted = examined.select("order_id");
        if (adjustedCreditOrders.isPresent()) {
            withoutAdjusted = withoutAdjusted.join(adjustedCreditOrders.get(), ScalaSeqs.of("order_id"), "left_anti");
        }
        return changedOrders.select("order_id").union(flagsChanged).union(withoutAdjusted).distinct();
    }

    /** The rows of gold.partner_anomalies for the night: every partner metric against its peers. */
    static Dataset<Row> partnerAnomalies(Dataset<Row> anomalies, Dataset<Row> metrics, LocalDate date,
                                         double minRobustZ) {
        return anomalies
                .join(metrics.select("partner_id", "clicks", "credited_orders"), ScalaSeqs.of("partner_id"))
                .withColumn("date", lit(Date.valueOf(date)))
                .withColumn("is_outlier", abs(col("robust_z")).geq(minRobustZ))
                .select("date", "partner_id", "partner_type", "region", "metric", "value", "peer_group",
                        "peer_count", "peer_median", "mad", "robust_z", "is_outlier", "clicks", "credited_orders");
    }
}
