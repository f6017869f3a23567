package com.partnermix.marts;

import com.partnermix.common.FxRates;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.sql.Date;
import java.time.LocalDate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

/**
 * What several marts of {@link MartsJob} read: everything delivered up to the run date D, so a rerun of D sees the
 * same inputs whatever arrived since, and the partner activity and costs computed once from them.
 *
 * @param toReporting  date, to_reporting ({@link Costs#toReporting}; null for USD)
 * @param credit       gold.attribution_credit of orders up to D, every model
 * @param payoutCredit the credit of the payout model
 * @param activity     {@link PartnerDaily#activity} of every date up to D
 * @param costs        {@link Costs#partnerCosts}: partner_daily and the statements both need them
 */
record MartsInputs(Dataset<Row> fxDaily, Dataset<Row> toReporting, Dataset<Row> dimPartner, Dataset<Row> credit,
                   Dataset<Row> payoutCredit, Dataset<Row> touchpoints, Dataset<Row> activity, Dataset<Row> costs) {

    /** Reads the inputs delivered up to {@code date}; the ones read again and again stay cached until unpersist. */
    static MartsInputs deliveredUpTo(Warehouse wh, PartnermixConfig.Marts settings, TouchRules rules, LocalDate date) {
        Date runDate = Date.valueOf(date);
        Dataset<Row> fxDaily = FxRates.dailyCalendar(wh.read(Tables.BRONZE_FX_RATES), date, date)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> toReporting = Costs.toReporting(fxDaily, settings.reportingCurrency());
        Dataset<Row> dimPartner = wh.read(Tables.SILVER_DIM_PARTNER).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> credit = wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("order_date").leq(runDate));
        Dataset<Row> touchpoints = wh.read(Tables.BRONZE_TOUCHPOINTS).where(col("delivery_date").leq(runDate));
        Dataset<Row> activity = PartnerDaily.activity(touchpoints, rules, null, date)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> payoutCredit = credit.where(col("model").equalTo(settings.payoutModel()));
        Dataset<Row> costs = Costs.partnerCosts(activity, payoutCredit, dimPartner, fxDaily, costsFrom(activity), date)
                .persist(StorageLevel.MEMORY_AND_DISK());
        return new MartsInputs(fxDaily, toReporting, dimPartner, credit, payoutCredit, touchpoints, activity, costs);
    }

    /** Costs from the first month the warehouse has data in: flat fees are not due from a contract's start years back. */
    private static LocalDate costsFrom(Dataset<Row> activity) {
        Date firstDataDay = activity.agg(min("date")).first().getDate(0);
        return firstDataDay == null ? null : firstDataDay.toLocalDate().withDayOfMonth(1);
    }

    /** Dependents first (costs is built on the others): uncaching a base makes Spark re-plan what depends on it. */
    void unpersist() {
        costs.unpersist();
        activity.unpersist();
        fxDaily.unpersist();
        dimPartner.unpersist();
    }
}
