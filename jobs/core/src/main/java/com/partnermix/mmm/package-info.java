/**
 * Media mix model ({@code mmm --date D}): builds the region x day x channel panel from the bronze
 * touchpoints, spend and FX rates, {@code silver.dim_partner}, {@code silver.journeys} and
 * {@code gold.attribution_credit}, searches adstock and Hill parameters on Spark and fits a ridge regression;
 * writes {@code gold.mmm_fit} and {@code gold.mmm_contributions}, whose calibration factors the {@code mixed_media}
 * model uses ({@link com.partnermix.mmm.MixedMedia}). Entry point: {@link com.partnermix.mmm.MmmJob}.
 */
package com.partnermix.mmm;
