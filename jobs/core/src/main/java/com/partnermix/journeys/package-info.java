/**
 * Identity, sessions and journeys ({@code journeys --date D}): stitches devices into persons, cuts
 * sessions and assigns touches to orders from the bronze touchpoints, orders and FX rates and
 * {@code silver.dim_partner}. Writes {@code silver.identity_map}, {@code silver.identity_guarded},
 * {@code silver.sessions}, {@code silver.journeys}, {@code silver.journey_touches} and
 * {@code silver.journey_changes}. Entry point: {@link com.partnermix.journeys.JourneysJob}.
 */
package com.partnermix.journeys;
