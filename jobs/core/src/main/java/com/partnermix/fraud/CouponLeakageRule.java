package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static com.partnermix.fraud.FraudRule.signal;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

/**
 * COUPON_LEAKAGE: the order's code is owned by one partner while another partner (or none) holds the last click.
 * Codes travel honestly (remembered, passed on among friends, published with the owner's consent: the
 * {@code allowed_codes} and {@code allowed_pairs} lists, which raise nothing); reassigning to the owner needs the
 * credited partner's own click to have shown the owner's code. The measured value is how many clicks the code's
 * owner had in the journey.
 */
final class CouponLeakageRule implements FraudRule {

    static final String CLICK_SHOWS_CODE = "click_shows_code";
    static final String CONVERSION_TYPE = "publisher_conversion_type";
    static final String OWNER_CLICKED = "owner_clicked_before";

    @Override
    public String code() {
        return FraudRules.COUPON_LEAKAGE;
    }

    @Override
    public String configKey() {
        return "coupon_leakage";
    }

    @Override
    public Level level() {
        return Level.ORDER;
    }

    @Override
    public List<String> thresholds() {
        return List.of();
    }

    @Override
    public List<String> lists() {
        return List.of("allowed_codes", "allowed_pairs", "publisher_types");
    }

    @Override
    public List<String> signals() {
        return List.of(CLICK_SHOWS_CODE, CONVERSION_TYPE, OWNER_CLICKED);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        return findings(in.examined().select("order_id", "coupon_code"), in.touches(), in.credited(),
                in.couponOwners(), in.partners().select("partner_id", "partner_type"), settings);
    }

    /**
     * @param orders   order_id, coupon_code
     * @param touches  journey touches: order_id, is_click, partner_id
     * @param credited order_id, credited_event_id, credited_partner_id, credited_click_code
     * @param owners   coupon_code, owner_partner_id
     * @param partners partner_id, partner_type
     */
    static Dataset<Row> findings(Dataset<Row> orders, Dataset<Row> touches, Dataset<Row> credited,
                                 Dataset<Row> owners, Dataset<Row> partners, PartnermixConfig.RuleSettings settings) {
        Dataset<Row> ownerClicks = touches.where(col("is_click").and(col("partner_id").isNotNull()))
                .groupBy(col("order_id"), col("partner_id").as("owner_partner_id")).agg(count("*").as("owner_clicks"));
        List<String> pairs = new ArrayList<>();
        for (String pair : settings.list("allowed_pairs")) {
            String[] ends = pair.split("->");
            if (ends.length != 2 || ends[0].isBlank() || ends[1].isBlank()) {
                throw new IllegalArgumentException("fraud.rules.coupon_leakage.lists.allowed_pairs: '" + pair
                        + "' must read 'OWNER -> PUBLISHER'");
            }
            pairs.add(ends[0].trim() + "->" + ends[1].trim());
        }
        Column allowed = col("coupon_code").isin(settings.list("allowed_codes").toArray())
                .or(coalesce(concat(col("owner_partner_id"), lit("->"), col("credited_partner_id"))
                        .isin(pairs.toArray()), lit(false)));
        Column owned = col("owner_clicks");
        Column showsCode = coalesce(col("credited_click_code").equalTo(col("coupon_code")), lit(false));
        return orders.where(col("coupon_code").isNotNull())
                .join(owners, ScalaSeqs.of("coupon_code"))
                .join(credited.select("order_id", "credited_event_id", "credited_partner_id", "credited_click_code"),
                        ScalaSeqs.of("order_id"), "left")
                .where(col("credited_partner_id").isNull().or(col("credited_partner_id")
                        .notEqual(col("owner_partner_id"))))
                .where(not(allowed))
                .join(ownerClicks, ScalaSeqs.of("order_id", "owner_partner_id"), "left")
                .join(partners.select(col("partner_id").as("credited_partner_id"),
                        col("partner_type").as("publisher_type")), ScalaSeqs.of("credited_partner_id"), "left")
                .withColumn("owner_clicks", coalesce(owned, lit(0L)))
                .select(lit(FraudRules.COUPON_LEAKAGE).as("rule_code"), col("order_id"),
                        col("credited_event_id").as("event_id"), col("credited_partner_id").as("partner_id"),
                        col("owner_partner_id").as("displaced_partner_id"),
                        col("owner_clicks").cast("double").as("measured_value"),
                        lit(null).cast("double").as("threshold"),
                        format_string("code %s belongs to %s but the last click is %s's%s", col("coupon_code"),
                                col("owner_partner_id"), FraudRules.orNobody(col("credited_partner_id")),
                                org.apache.spark.sql.functions.when(showsCode, lit(", whose click showed that code"))
                                        .otherwise(lit(""))).as("detail"),
                        FraudRule.signals(signal(CLICK_SHOWS_CODE, showsCode),
                                signal(CONVERSION_TYPE, col("publisher_type")
                                        .isin(settings.list("publisher_types").toArray())),
                                signal(OWNER_CLICKED, col("owner_clicks"), col("owner_clicks").gt(0))));
    }
}
