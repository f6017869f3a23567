/**
 * Attribution ({@code attribute --date D}): credit per order and touch under every model of
 * {@code attribution.models} (rule-based, Markov removal effects, Shapley values, MMM-calibrated {@code mixed_media}).
 * Reads {@code silver.journeys}, {@code silver.journey_touches}, {@code silver.journey_changes} and the latest
 * {@code gold.mmm_fit}; writes {@code gold.attribution_credit} and {@code gold.model_weights}.
 * Each model is one {@link com.partnermix.attribution.CreditModel} of
 * {@link com.partnermix.attribution.CreditModels#REGISTRY}. Entry point: {@link com.partnermix.attribution.AttributionJob}.
 */
package com.partnermix.attribution;
