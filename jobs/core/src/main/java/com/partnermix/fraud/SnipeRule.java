package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static com.partnermix.fraud.FraudRule.signal;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

/**
 * LAST_SECOND_SNIPE: the order follows the click within {@code max_seconds} with nothing in between (no page
 * view: nobody landed anywhere). A snipe after the cart view is an in-cart click too and is also reported as
 * BASKET_HIJACK.
 */
final class SnipeRule implements FraudRule {

    static final String AFTER_CART = "after_cart";
    static final String QUICK = "within_quick_seconds";
    static final String NO_PARTNER_REFERRER = "no_partner_referrer";

    @Override
    public String code() {
        return FraudRules.LAST_SECOND_SNIPE;
    }

    @Override
    public String configKey() {
        return "snipe";
    }

    @Override
    public Level level() {
        return Level.ORDER;
    }

    @Override
    public List<String> thresholds() {
        return List.of("max_seconds", "quick_seconds");
    }

    @Override
    public List<String> signals() {
        return List.of(AFTER_CART, QUICK, NO_PARTNER_REFERRER);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        double maxSeconds = settings.threshold("max_seconds");
        Column clickToOrder = FraudRules.seconds(col("order_ts"), col("event_ts"));
        Column snipe = col("next_event.event_type").equalTo("order")
                .and(col("next_event.event_id").equalTo(col("order_id"))).and(clickToOrder.leq(maxSeconds));
        return in.journeyClicks().where(snipe)
                .select(lit(code()).as("rule_code"), col("order_id"), col("event_id"), col("partner_id"),
                        FraudRules.displaced(), clickToOrder.as("measured_value"), lit(maxSeconds).as("threshold"),
                        format_string("the order followed %s's click after %.1f s without a page view",
                                col("partner_id"), clickToOrder).as("detail"),
                        FraudRule.signals(signal(AFTER_CART, FraudRules.cartInSession()),
                                signal(QUICK, clickToOrder, clickToOrder.leq(settings.threshold("quick_seconds"))),
                                signal(NO_PARTNER_REFERRER, not(FraudRules.externalReferrer(in.shopHosts)))));
    }
}
