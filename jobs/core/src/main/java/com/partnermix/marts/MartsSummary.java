package com.partnermix.marts;

import com.partnermix.common.Table;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.sum;

/** A readable summary of the marts for the console (the demo prints it after the last night). */
public final class MartsSummary {

    private MartsSummary() {}

    /**
     * The marts at a glance: the last reconciliation's worst GMV difference per model, the statement totals per
     * month (locked or open) and CAC / ROAS per partner type in the last quarter under the payout model.
     */
    public static String of(Warehouse wh, String payoutModel) {
        Table recon = com.partnermix.common.Tables.GOLD_MARTS_RECONCILIATION;
        Table statements = com.partnermix.common.Tables.GOLD_COMMISSION_STATEMENT;
        Table quarterly = com.partnermix.common.Tables.GOLD_PARTNER_MIX_QUARTERLY;
        if (!wh.exists(recon) || !wh.exists(statements) || !wh.exists(quarterly)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        Row lastRun = wh.read(recon).agg(org.apache.spark.sql.functions.max("run_date")).first();
        if (!lastRun.isNullAt(0)) {
            out.append(String.format("%n== marts: worst |GMV difference| per model, reconciliation of %s (gate: 0.01)%n",
                    lastRun.get(0)));
            List<Row> worst = wh.read(recon).where(col("run_date").equalTo(lastRun.get(0))).groupBy("model")
                    .agg(org.apache.spark.sql.functions.max(org.apache.spark.sql.functions.abs(col("gmv_diff"))))
                    .orderBy("model").collectAsList();
            for (int i = 0; i < worst.size(); i++) {
                out.append(i % 4 == 0 ? "   " : "  ").append(String.format("%-16s %.6f", worst.get(i).getString(0),
                        worst.get(i).isNullAt(1) ? 0.0 : worst.get(i).getDouble(1)));
                if (i % 4 == 3 || i == worst.size() - 1) {
                    out.append(System.lineSeparator());
                }
            }
        }
        out.append(String.format("%n== commission statements per month (gold.commission_statement)%n"));
        out.append(String.format("   %-8s %-6s %8s %14s %12s %12s %12s %14s%n", "month", "state", "partners", "gross",
                "withheld", "released", "reversals", "net payable"));
        Column released = java.util.Arrays.asList(wh.read(statements).columns()).contains("released_fraud")
                ? org.apache.spark.sql.functions.coalesce(sum("released_fraud"), org.apache.spark.sql.functions.lit(0.0))
                : org.apache.spark.sql.functions.lit(0.0);
        for (Row r : wh.read(statements).groupBy("statement_month", "is_locked", "currency")
                .agg(org.apache.spark.sql.functions.count("*"), sum("commission_gross"), sum("withheld_fraud"),
                        released, sum("reversals"), sum("net_payable"))
                .orderBy("statement_month").collectAsList()) {
            out.append(String.format("   %-8s %-6s %,8d %,14.2f %,12.2f %,12.2f %,12.2f %,14.2f %s%n",
                    r.getDate(0).toLocalDate().toString().substring(0, 7), r.getBoolean(1) ? "locked" : "open",
                    r.getLong(3), r.getDouble(4), r.getDouble(5), r.getDouble(6), r.getDouble(7), r.getDouble(8),
                    r.getString(2)));
        }
        Row lastQuarter = wh.read(quarterly).agg(org.apache.spark.sql.functions.max("quarter")).first();
        if (!lastQuarter.isNullAt(0)) {
            out.append(String.format("%n== CAC and ROAS per partner type, quarter of %s, payout model %s%n",
                    lastQuarter.get(0), payoutModel));
            out.append(String.format("   %-18s %12s %10s %10s %8s%n", "partner type", "cost", "new cust.", "CAC", "ROAS"));
            for (Row r : wh.read(quarterly).where(col("quarter").equalTo(lastQuarter.get(0))
                            .and(col("model").equalTo(payoutModel)).and(col("is_partner")))
                    .groupBy("partner_type", "currency")
                    .agg(sum("cost").as("cost"), sum("new_customers").as("nc"), sum("gmv").as("gmv"))
                    .orderBy(desc("cost"), col("partner_type")).collectAsList()) {
                double cost = r.isNullAt(2) ? 0.0 : r.getDouble(2);
                double nc = r.isNullAt(3) ? 0.0 : r.getDouble(3);
                double gmv = r.isNullAt(4) ? 0.0 : r.getDouble(4);
                // undefined ratios print as '-', never as infinity
                out.append(String.format("   %-18s %,12.2f %10.1f %10s %8s %s%n", r.getString(0), cost, nc,
                        nc == 0 ? "-" : String.format("%.2f", cost / nc), cost == 0 ? "-" : String.format("%.2f", gmv / cost),
                        r.getString(1)));
            }
        }
        return out.toString();
    }
}
