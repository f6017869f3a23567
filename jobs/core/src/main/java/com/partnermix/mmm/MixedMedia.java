package com.partnermix.mmm;

import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

/**
 * The calibration factors the {@code mixed_media} model of a night uses: those of the latest MMM
 * fit from an earlier run date (strictly before the night, so that rerunning a night gives the same
 * credit whether or not that night's own fit has been written yet).
 */
public final class MixedMedia {

    private MixedMedia() {}

    /** Factors per MMM channel (null: the journey model credited nothing to it; treated as 1). */
    public record Factors(LocalDate fitDate, String granularity, LocalDate windowStart, LocalDate windowEnd,
                          Map<String, Double> byChannel) {}

    public static Optional<Factors> latestBefore(Warehouse wh, LocalDate date) {
        if (!wh.exists(Tables.GOLD_MMM_FIT)) {
            return Optional.empty();
        }
        var fits = wh.read(Tables.GOLD_MMM_FIT).where(col("run_date").lt(Date.valueOf(date)));
        Row latest = fits.agg(max("run_date")).first();
        if (latest.isNullAt(0)) {
            return Optional.empty();
        }
        LocalDate fitDate = latest.getDate(0).toLocalDate();
        List<Row> rows = fits.where(col("run_date").equalTo(Date.valueOf(fitDate)).and(col("term_type").equalTo("media")))
                .select("term", "calibration_factor", "granularity", "window_start", "window_end").collectAsList();
        Map<String, Double> byChannel = new TreeMap<>();
        String granularity = null;
        LocalDate start = null;
        LocalDate end = null;
        for (Row r : rows) {
            byChannel.put(r.getString(0), r.isNullAt(1) ? null : r.getDouble(1));
            granularity = r.getString(2);
            start = r.getDate(3).toLocalDate();
            end = r.getDate(4).toLocalDate();
        }
        return granularity == null ? Optional.empty()
                : Optional.of(new Factors(fitDate, granularity, start, end, byChannel));
    }
}
