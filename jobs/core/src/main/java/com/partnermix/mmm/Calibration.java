package com.partnermix.mmm;

/**
 * The {@code mixed_media} model's calibration factor per channel: the MMM's incremental revenue over the revenue
 * the journey model credited to the channel in the fit window. The credit itself is rescaled by these factors and
 * renormalised per order in {@link com.partnermix.attribution.CreditModels#credits} (a touch whose channel has no
 * factor keeps factor 1; an order whose rescaled credit is 0 everywhere keeps the base model's credit).
 */
public final class Calibration {

    private Calibration() {}

    /** MMM incremental revenue / journey-credited revenue; null (treated as 1) when the journey model credited nothing. */
    public static Double factor(double mmmRevenue, double journeyRevenue) {
        return journeyRevenue > 0 ? Math.max(0, mmmRevenue) / journeyRevenue : null;
    }
}
