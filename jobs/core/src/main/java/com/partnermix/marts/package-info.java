/**
 * Partner-mix marts and commission statements ({@code marts --date D}) and the monthly close
 * ({@code commission-close --date D}). Reads {@code gold.attribution_credit}, the fraud flags and reviewers'
 * decisions, {@code gold.mmm_contributions}, the silver journeys, {@code silver.dim_partner} and the bronze cost
 * feeds; writes {@code gold.partner_daily}, {@code gold.marts_reconciliation}, {@code gold.model_comparison},
 * {@code gold.path_summary}, {@code gold.commission_statement}, {@code gold.partner_mix_quarterly} and
 * {@code gold.commission_closings}. Entry points: {@link com.partnermix.marts.MartsJob},
 * {@link com.partnermix.marts.CommissionCloseJob}.
 */
package com.partnermix.marts;
