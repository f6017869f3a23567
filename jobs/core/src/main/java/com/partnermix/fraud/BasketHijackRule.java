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
import static org.apache.spark.sql.functions.when;

/**
 * BASKET_HIJACK: a partner click after the cart or checkout was viewed in the click's session (since the last
 * order), or referred by the shop's own cart or checkout page. A shopper who leaves the cart for a coupon site
 * and comes back through its link does the same, with a visit on that site (its page as referrer), time away
 * and a landing on the shop: the strong combination is the cart as referrer, or no referrer, no visit and a
 * click right after the cart view.
 */
final class BasketHijackRule implements FraudRule {

    static final String CART_REFERRER = "cart_referrer";
    static final String NO_PARTNER_REFERRER = "no_partner_referrer";
    static final String NO_VISIT = "no_visit";
    static final String QUICK = "quick_after_cart";

    @Override
    public String code() {
        return FraudRules.BASKET_HIJACK;
    }

    @Override
    public String configKey() {
        return "basket_hijack";
    }

    @Override
    public Level level() {
        return Level.ORDER;
    }

    @Override
    public List<String> thresholds() {
        return List.of("quick_seconds");
    }

    @Override
    public List<String> signals() {
        return List.of(CART_REFERRER, NO_PARTNER_REFERRER, NO_VISIT, QUICK);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        List<String> hosts = in.shopHosts;
        Column cartInSession = FraudRules.cartInSession();
        Column cartReferrer = FraudRules.cartReferrer(hosts);
        Column sinceCart = when(cartInSession, FraudRules.seconds(col("event_ts"), col("last_cart_ts")));
        Column away = FraudRules.seconds(col("event_ts"), col("prev_event_ts"));
        return in.journeyClicks().where(cartInSession.or(cartReferrer))
                .select(lit(code()).as("rule_code"), col("order_id"), col("event_id"), col("partner_id"),
                        FraudRules.displaced(), org.apache.spark.sql.functions.coalesce(sinceCart, lit(0.0))
                                .as("measured_value"), lit(0.0).as("threshold"),
                        when(cartInSession, format_string("%s clicked %.0f s after the cart/checkout was viewed "
                                        + "(%.0f s after the previous event), referrer %s", col("partner_id"), sinceCart,
                                away, FraudRules.orNobody(col("referrer_url"))))
                                .otherwise(format_string("%s's click was referred by the shop's page %s",
                                        col("partner_id"), col("referrer_url"))).as("detail"),
                        FraudRule.signals(signal(CART_REFERRER, cartReferrer),
                                signal(NO_PARTNER_REFERRER, not(FraudRules.externalReferrer(hosts))),
                                signal(NO_VISIT, col("visit_views_dwell"), col("visit_views_dwell").equalTo(0)),
                                signal(QUICK, sinceCart, sinceCart.leq(settings.threshold("quick_seconds")))));
    }
}
