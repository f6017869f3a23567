package com.partnermix.attribution;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;

/**
 * The Spark side of {@link IncrementalHazard}: each person's touches and orders in time order (one group-by per
 * person), turned into the person's days and summed to the model's sufficient statistics where they lie; only the
 * statistics (per candidate decay a matrix of groups x groups) reach the driver.
 */
final class IncrementalPersonDays {

    private IncrementalPersonDays() {}

    /**
     * @param exposure person_id, touch_ts, group, weight: the touches that may cause orders
     * @param orders   person_id, order_ts: the orders of the window
     * @param tests    lift tests, priors of their groups' effects
     */
    static IncrementalHazard.Fit fit(Dataset<Row> exposure, Dataset<Row> orders, LocalDate windowStart, int days,
                                     List<Double> decays, List<IncrementalHazard.LiftTest> tests) {
        // Read twice (the groups, then the person-days): the touches and their purchase-session window once.
        Dataset<Row> touches = exposure.where(col("group").isNotNull()).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return fit(touches, orders, windowStart, days, decays, IncrementalHazard.indexOf(
                    touches.select("group").distinct().collectAsList().stream().map(r -> r.getString(0)).toList()),
                    tests);
        } finally {
            touches.unpersist();
        }
    }

    /** @param groups the groups (channels and partner types, a few dozen at most), in index order */
    private static IncrementalHazard.Fit fit(Dataset<Row> exposure, Dataset<Row> orders, LocalDate windowStart,
                                             int days, List<Double> decays, List<String> groups,
                                             List<IncrementalHazard.LiftTest> tests) {
        HashMap<String, Integer> index = new HashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            index.put(groups.get(g), g);
        }
        double[] candidates = decays.stream().mapToDouble(Double::doubleValue).toArray();
        // Days in the session's time zone, as every other date of the warehouse (journey_date, order_date).
        Column start = lit(java.sql.Date.valueOf(windowStart));
        Dataset<Row> perPerson = exposure.groupBy("person_id")
                .agg(sort_array(collect_list(struct(expr("unix_micros(touch_ts)").as("micros"),
                        datediff(to_date(col("touch_ts")), start).as("day"), col("group"), col("weight"))))
                        .as("touches"))
                .join(orders.groupBy("person_id").agg(sort_array(collect_list(struct(
                                expr("unix_micros(order_ts)").as("micros"), datediff(to_date(col("order_ts")), start)
                                        .as("day")))).as("orders")),
                        com.partnermix.common.ScalaSeqs.of("person_id"), "left");
        IncrementalHazard.Stats zero = new IncrementalHazard.Stats(groups.size(), candidates);
        IncrementalHazard.Stats stats = perPerson.select("touches", "orders").javaRDD().aggregate(zero,
                (s, row) -> {
                    List<IncrementalHazard.Touch> touches = new ArrayList<>();
                    for (Row t : row.<Row>getList(0)) {
                        touches.add(new IncrementalHazard.Touch(t.getInt(1), t.getLong(0), index.get(t.getString(2)),
                                t.getDouble(3)));
                    }
                    List<IncrementalHazard.Order> personOrders = new ArrayList<>();
                    if (!row.isNullAt(1)) {
                        for (Row o : row.<Row>getList(1)) {
                            personOrders.add(new IncrementalHazard.Order(o.getInt(1), o.getLong(0)));
                        }
                    }
                    s.addPerson(touches, personOrders, days);
                    return s;
                },
                IncrementalHazard.Stats::merge);
        return IncrementalHazard.solve(stats, groups, tests);
    }
}
