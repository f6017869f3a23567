package com.partnermix.mmm;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

class MmmRecoveryTest extends SparkTestBase {

    static final LocalDate LAST = LocalDate.parse("2026-11-20");
    static final int DAYS = Integer.getInteger("mmm.recovery.days", 180);
    static final int PERSONS = Integer.getInteger("mmm.recovery.persons", 4000);

    @Test
    void fitRecoversTheSimulatedContributionShares() throws Exception {
        PartnermixConfig config = config(tmp, System.getProperty("mmm.recovery.set", "mmm.seed=7").split(";"));
        long t0 = System.nanoTime();
        GeneratedPanel g = GeneratedPanel.generate(spark(), config, tmp.resolve("plain"), LAST, DAYS, PERSONS, List.of());
        System.out.printf("generated+panel %.1f s: %d days x %d regions x %d channels, %.0f orders%n",
                (System.nanoTime() - t0) / 1e9, g.panel.days, g.panel.regions.length, g.panel.channels.length,
                g.panel.totalOrders());
        t0 = System.nanoTime();
        MmmSpec spec = MmmSpec.of(config.mmm());
        MmmJob.Result result = MmmJob.search(spark(), g.panel, spec, Integer.getInteger("mmm.recovery.candidates", 100));
        System.out.printf("search %.1f s, holdout rmse %.3f r2 %.3f%n", (System.nanoTime() - t0) / 1e9,
                result.best().holdoutRmse(), result.full().trainR2());
        double fittedMedia = 0;
        double trueMedia = 0;
        for (int k = 0; k < g.panel.channels.length; k++) {
            String c = g.panel.channels[k];
            double f = result.decomposition().orderShare(k);
            fittedMedia += f;
            trueMedia += g.trueShare(c);
            System.out.printf(Locale.ROOT, "%-28s true %.3f fitted %.3f theta %.2f a %.2f g %.2f%n", c, g.trueShare(c), f,
                    result.full().candidate().theta()[k], result.full().candidate().shape()[k],
                    result.full().candidate().halfSaturation()[k]);
        }
        System.out.printf(Locale.ROOT, "media total true %.3f fitted %.3f%n", trueMedia, fittedMedia);
    }
}
