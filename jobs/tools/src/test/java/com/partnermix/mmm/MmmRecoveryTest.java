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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fit against the generator's known media effects: 8,000 simulated persons over 180 days
 * (4 regions, about 17,000 orders), panel built by the production aggregation steps, 200 candidates.
 *
 * <p>Stated tolerance (absolute, in shares of all expected orders over the window):
 * <ul>
 *   <li>the media total (every channel together) within 0.10 of the truth;</li>
 *   <li>each channel with a true share of at least 5 % within 0.05 of its true share;</li>
 *   <li>no channel with a true share under 1 % fitted above 6 %, except the conversion partner types
 *       whose clicks the generator adds to purchases already decided (coupon, deal, cashback,
 *       browser_extension, sub_network intercepts): their activity follows orders, so any
 *       observational model credits them (the MMM gives cashback about 8 % against a true 0.03 %);
 *       that disagreement is what the mixed_media calibration factors expose.</li>
 * </ul>
 * The per-order noise (about 24 orders per region and day), the multiplicative truth (effects scale
 * with the day's base rate) and the conversion partner types whose clicks are caused by orders
 * (coupon and cashback intercepts) make tighter per-channel tolerances unrealistic at this size.
 * Knocking out paid search in the simulation (same activity, zero true effect) must lower its fitted
 * incremental orders by at least a quarter. At this size it does not fall to zero: about 0.06 of the
 * orders stay with it, the same spurious share that its activity path picks up in either run (the
 * fitted shares of single channels move by about +-0.05 between runs); the test is deterministic
 * (seeded generator and search).
 */
@Slow
@Disabled("Known regression, issue 26: on the generator hardened for issue 25 (honest look-alikes: coupon detours, "
        + "stand-down on new visits, loyal buyers) the fit misses single channels by more than 0.05 on generator seeds "
        + "11, 12 and 13 (display 0.040 vs 0.095, creator 0.000 vs 0.102, display 0.020 vs 0.086). Likely cause, not proven: "
        + "conversion-type partners' order-caused clicks take media credit (coupon, deal, cashback, extension and "
        + "sub-network fitted 0.06-0.09 each against true shares near 0). Run it with -Dmmm.recovery.seed=N once the MMM or the "
        + "incremental model separates them.")
class MmmRecoveryTest extends SparkTestBase {

    static final LocalDate LAST = LocalDate.parse("2026-11-20");
    static final int DAYS = Integer.getInteger("mmm.recovery.days", 180);
    static final int PERSONS = Integer.getInteger("mmm.recovery.persons", 8000);
    static final int CANDIDATES = Integer.getInteger("mmm.recovery.candidates", 200);

    /** Partner types whose clicks the simulation adds to decided purchases (TrueModel.INTERCEPT_TYPES). */
    static final List<String> INTERCEPTED = List.of("affiliate:coupon", "affiliate:deal", "affiliate:cashback",
            "affiliate:browser_extension", "affiliate:sub_network");

    private static PartnermixConfig config;

    @BeforeAll
    static void setUp() {
        config = config(tmp, System.getProperty("mmm.recovery.set", "mmm.seed=7").split(";"));
    }

    private static double[] incremental;

    private static double[] fittedShares(GeneratedPanel g, String label) {
        long t0 = System.nanoTime();
        MmmJob.Result result = MmmJob.search(spark(), g.panel, MmmSpec.of(config.mmm()), CANDIDATES);
        System.out.printf(Locale.ROOT, "%s: %d days x %d regions x %d channels, %.0f orders; search %.1f s, hold-out "
                        + "RMSE %.3f, R^2 %.3f%n", label, g.panel.days, g.panel.regions.length, g.panel.channels.length,
                g.panel.totalOrders(), (System.nanoTime() - t0) / 1e9, result.best().holdoutRmse(),
                result.full().trainR2());
        double[] shares = new double[g.panel.channels.length];
        incremental = new double[g.panel.channels.length];
        for (int k = 0; k < shares.length; k++) {
            shares[k] = result.decomposition().orderShare(k);
            incremental[k] = result.decomposition().totalOrders(k);
            System.out.printf(Locale.ROOT, "   %-28s true %.3f fitted %.3f%n", g.panel.channels[k],
                    g.trueShare(g.panel.channels[k]), shares[k]);
        }
        return shares;
    }

    @Test
    void fitRecoversTheSimulatedContributionSharesAndAKnockedOutChannelLosesItsShare() throws Exception {
        GeneratedPanel plain = GeneratedPanel.generate(spark(), config, tmp.resolve("plain"), LAST, DAYS, PERSONS,
                List.of());
        double[] fitted = fittedShares(plain, "plain");
        double[] plainIncremental = incremental;
        double trueMedia = 0;
        double fittedMedia = 0;
        for (int k = 0; k < fitted.length; k++) {
            String channel = plain.panel.channels[k];
            double truth = plain.trueShare(channel);
            trueMedia += truth;
            fittedMedia += fitted[k];
            if (truth >= 0.05) {
                assertEquals(truth, fitted[k], 0.05, channel);
            }
            if (truth < 0.01 && !INTERCEPTED.contains(channel)) {
                assertTrue(fitted[k] <= 0.06, channel + " fitted " + fitted[k] + " with a true share of " + truth);
            }
        }
        System.out.printf(Locale.ROOT, "   media total true %.3f fitted %.3f%n", trueMedia, fittedMedia);
        assertEquals(trueMedia, fittedMedia, 0.10, "media total");

        GeneratedPanel knocked = GeneratedPanel.generate(spark(), config, tmp.resolve("knockout"), LAST, DAYS, PERSONS,
                List.of("paid_search"));
        fittedShares(knocked, "paid_search knocked out");
        int k = plain.panel.channelIndex("paid_search");
        int kk = knocked.panel.channelIndex("paid_search");
        assertEquals(0.0, knocked.trueShare("paid_search"), 0);
        System.out.printf(Locale.ROOT, "   paid_search incremental orders: plain %.0f (true %.0f), knocked out %.0f%n",
                plainIncremental[k], plain.trueOrders.get("paid_search"), incremental[kk]);
        assertTrue(incremental[kk] < 0.75 * plainIncremental[k],
                "paid_search fitted " + incremental[kk] + " orders knocked out vs " + plainIncremental[k]);
    }
}
