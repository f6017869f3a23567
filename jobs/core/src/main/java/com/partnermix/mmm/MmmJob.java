package com.partnermix.mmm;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.Experiments;
import com.partnermix.common.FxRates;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.journeys.PurchaseSessions;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Option;

import java.sql.Date;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * {@code mmm --date D}: fits the media mix model on the rolling window of {@code mmm.window_days}
 * up to D and writes {@code gold.mmm_fit} (one row per term of the fit: parameters, coefficients,
 * errors, window, calibration factor) and {@code gold.mmm_contributions} (per date, region and
 * channel: activity, cost, incremental orders and revenue, ROI, marginal ROI; plus the baseline),
 * both as the slice {@code run_date = D}.
 *
 * <p>With too little data (fewer than {@code min_observations_per_parameter} region-days per
 * fitted parameter) it refuses: a message, nothing written, the earlier fit stays the latest.
 * A refusal is not a failure (exit 0): a young warehouse simply has no model yet.
 */
public final class MmmJob implements Job {

    static final StructType FIT_SCHEMA = new StructType()
            .add("run_date", "date").add("term", "string").add("term_type", "string")
            .add("coef_orders", "double").add("coef_revenue", "double")
            .add("adstock_theta", "double").add("hill_shape", "double").add("hill_half_saturation_rel", "double")
            .add("hill_half_saturation", "double")
            .add("activity", "double").add("cost_usd", "double")
            .add("incremental_orders", "double").add("incremental_revenue_usd", "double").add("roi", "double")
            .add("journey_credited_revenue_usd", "double").add("calibration_factor", "double")
            .add("window_start", "date").add("window_end", "date").add("holdout_start", "date")
            .add("observations", "int").add("parameters", "int").add("candidates", "int").add("best_candidate", "int")
            .add("holdout_rmse_orders", "double").add("holdout_mape_orders", "double").add("holdout_r2_orders", "double")
            .add("r2_orders", "double").add("r2_revenue", "double")
            .add("granularity", "string").add("activity_measure", "string").add("base_model", "string");

    static final StructType CONTRIBUTION_SCHEMA = new StructType()
            .add("run_date", "date").add("date", "date").add("region", "string").add("channel", "string")
            .add("activity", "double").add("clicks", "double").add("impressions", "double").add("cost_usd", "double")
            .add("incremental_orders", "double").add("incremental_revenue_usd", "double")
            .add("roi", "double").add("marginal_roi", "double");

    public static final String BASELINE = "baseline";

    @Override
    public String name() {
        return "mmm";
    }

    @Override
    public String summary() {
        return "media mix model on the rolling window up to --date -> gold.mmm_fit, gold.mmm_contributions";
    }

    public static final class Options {
        // The weekly refit DAG's run, which fits whatever mmm.refit says about nightly runs.
        @Option(names = "--refit", description = "the periodic refit's run: fits whatever mmm.refit says about "
                + "nightly runs")
        boolean refit;
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) {
        System.out.println(fit(context.warehouse(), context.config(), context.date(), context.options(Options.class).refit)
                .format());
        return 0;
    }

    /** What happened: fitted, refused (too little data) or skipped (not a refit day). */
    public record Report(LocalDate date, String outcome, int observations, int parameters, int channels, int candidates,
                         double holdoutRmse, double r2, String message, String timings) {
        public boolean fitted() {
            return outcome.equals("fitted");
        }

        public String format() {
            if (!fitted()) {
                return String.format("mmm %s: %s - %s", date, outcome.toUpperCase(Locale.ROOT), message);
            }
            return String.format(Locale.ROOT, "mmm %s: fitted %d channels on %,d region-days (%d parameters), "
                            + "%d candidates; best hold-out RMSE %.3f orders, R^2 %.3f; %s [%s]", date, channels,
                    observations, parameters, candidates, holdoutRmse, r2, message, timings);
        }
    }

    /** The nightly step: fits when {@code mmm.refit} says tonight is a refit night. */
    public static Report fit(Warehouse wh, PartnermixConfig config, LocalDate date) {
        return fit(wh, config, date, false);
    }

    /**
     * @param forced a refit whatever {@code mmm.refit} says (the periodic refit DAG's {@code mmm --refit});
     *               otherwise {@code nightly} fits every night, {@code weekly} on {@code refit_weekday}, and
     *               {@code scheduled} never (the refit DAG does it)
     */
    public static Report fit(Warehouse wh, PartnermixConfig config, LocalDate date, boolean forced) {
        PartnermixConfig.Mmm m = config.mmm();
        StepTimer timer = new StepTimer();
        String skipped = forced ? null : skipReason(m, date);
        if (skipped != null) {
            return new Report(date, "skipped", 0, 0, 0, 0, Double.NaN, Double.NaN, skipped, timer.toString());
        }
        LocalDate from = date.minusDays(m.windowDays() - 1L);
        Panel panel = buildPanel(wh, config, from, date);
        timer.lap("panel");
        return fitPanel(wh, config, date, panel, timer);
    }

    /** Why tonight is not a refit night under {@code mmm.refit}; null when it is. */
    static String skipReason(PartnermixConfig.Mmm m, LocalDate date) {
        switch (m.refit()) {
            case "nightly":
                return null;
            case "weekly":
                DayOfWeek day = DayOfWeek.valueOf(m.refitWeekday().toUpperCase(Locale.ROOT));
                return date.getDayOfWeek() == day ? null
                        : "weekly refit runs on " + m.refitWeekday() + "; the latest fit stays in use";
            case "scheduled":
                return "refits come from `mmm --refit` (the weekly refit DAG); the latest fit stays in use";
            default:
                throw new IllegalArgumentException("mmm.refit must be nightly, weekly or scheduled, got '" + m.refit()
                        + "'");
        }
    }

    /**
     * Fits a panel and writes the night's slices; refuses (writing nothing) when the panel is too
     * small. Split from {@link #fit} so that the benchmark and tests can feed a synthetic panel.
     */
    public static Report fitPanel(Warehouse wh, PartnermixConfig config, LocalDate date, Panel panel, StepTimer timer) {
        PartnermixConfig.Mmm m = config.mmm();
        MmmSpec spec = MmmSpec.of(m);
        int parameters = MediaMixModel.parameters(panel);
        String refusal = refusal(panel, parameters, m);
        if (refusal != null) {
            return new Report(date, "refused", panel.observations(), parameters, panel.channels.length, 0, Double.NaN,
                    Double.NaN, refusal, timer.toString());
        }
        Result result = search(wh.spark(), panel, spec, m.candidates());
        timer.lap("search");
        Map<String, Double> journeyRevenue = journeyCreditedRevenue(wh, config, panel);
        List<Row> fitRows = fitRows(date, panel, result, spec, m, journeyRevenue);
        List<Row> contributionRows = contributionRows(date, panel, result.decomposition());
        String slice = "run_date = '" + date + "'";
        DeltaWrites.replaceSlice(wh, Tables.GOLD_MMM_FIT, wh.spark().createDataFrame(fitRows, FIT_SCHEMA), slice);
        DeltaWrites.replaceSlice(wh, Tables.GOLD_MMM_CONTRIBUTIONS,
                wh.spark().createDataFrame(contributionRows, CONTRIBUTION_SCHEMA), slice);
        timer.lap("write");
        String calibration = journeyRevenue.isEmpty() ? "no " + m.baseModel() + " credit in the window yet: "
                + "calibration factors empty (mixed_media = " + m.baseModel() + ")" : "calibration factors for "
                + journeyRevenue.size() + " channels against " + m.baseModel();
        if (!panel.liftTests.isEmpty()) {
            calibration += "; lift tests as priors: " + String.join(", ", panel.liftTests.stream()
                    .map(t -> t.name() + " (" + panel.channels[t.channel()] + ")").toList());
        }
        return new Report(date, "fitted", panel.observations(), parameters, panel.channels.length, m.candidates(),
                result.best().holdoutRmse(), result.full().trainR2(), calibration, timer.toString());
    }

    /** Why the panel is too small to fit, or null. */
    static String refusal(Panel panel, int parameters, PartnermixConfig.Mmm m) {
        double needed = m.minObservationsPerParameter() * parameters;
        if (panel.channels.length == 0 || panel.regions.length == 0) {
            return "no media activity or orders in the window " + panel.firstDate + " .. " + panel.lastDate()
                    + ": nothing to fit; no table written, the earlier fit (if any) stays in use";
        }
        if (panel.observations() < needed || panel.days <= m.holdoutDays() + 1) {
            return String.format(Locale.ROOT, "too little data to fit: %,d region-days (%d days x %d regions) for %d "
                            + "parameters (%d channels x 4 + %d controls); need at least %.0f (%.0f per parameter) and "
                            + "more days than the %d hold-out days. No table written; the earlier fit (if any) stays "
                            + "in use", panel.observations(), panel.days, panel.regions.length, parameters,
                    panel.channels.length, parameters - 4 * panel.channels.length, needed,
                    m.minObservationsPerParameter(), m.holdoutDays());
        }
        return null;
    }

    /** The search's best candidate, its refit on the whole window, and the decomposition of that refit. */
    public record Result(MediaMixModel.Fit best, MediaMixModel.Fit full, Decomposition decomposition, int candidates) {}

    public static Result search(org.apache.spark.sql.SparkSession spark, Panel panel, MmmSpec spec, int candidates) {
        List<MediaMixModel.Fit> fits = CandidateSearch.run(spark, panel, spec, candidates);
        MediaMixModel.Fit best = fits.get(0);
        // The chosen transforms, refitted on every day of the window (the hold-out only picks the candidate).
        MediaMixModel.Fit full = MediaMixModel.fit(panel, best.candidate(), spec, false);
        return new Result(best, full, Decomposition.of(panel, full, spec), candidates);
    }

    /** The panel of the window from the warehouse: touch activity, paid spend, CPS commission, orders. */
    public static Panel buildPanel(Warehouse wh, PartnermixConfig config, LocalDate from, LocalDate to) {
        PartnermixConfig.Mmm m = config.mmm();
        TouchRules rules = new TouchRules(config.journeys());
        Dataset<Row> fx = FxRates.dailyCalendar(wh.read(Tables.BRONZE_FX_RATES), to, to);
        Dataset<Row> partners = wh.read(Tables.SILVER_DIM_PARTNER);
        // Only what was delivered up to the run date: a rerun or a backfill fits the panel the night saw.
        Column deliveredByThen = col("delivery_date").leq(lit(java.sql.Date.valueOf(to)));
        Dataset<Row> touchpoints = wh.read(Tables.BRONZE_TOUCHPOINTS).where(deliveredByThen);
        Column isActivity = lit(true);
        if (m.excludePurchaseSessions() && wh.exists(Tables.SILVER_JOURNEY_TOUCHES)) {
            touchpoints = touchpoints.join(purchaseSessionTouches(wh, config, to),
                    col("event_id").equalTo(col("purchase_event_id")), "left");
            isActivity = col("purchase_event_id").isNull();
        }
        Dataset<Row> media = PanelBuilder.touchActivity(touchpoints, isActivity, partners, fx, rules, m.granularity(),
                from, to);
        if (wh.exists(Tables.BRONZE_SPEND)) {
            media = media.unionByName(PanelBuilder.paidSpend(wh.read(Tables.BRONZE_SPEND).where(deliveredByThen), fx,
                    from, to));
        }
        if (wh.exists(Tables.GOLD_ATTRIBUTION_CREDIT)) {
            media = media.unionByName(PanelBuilder.commission(wh.read(Tables.GOLD_ATTRIBUTION_CREDIT)
                    .where(col("model").equalTo("last_click")), partners, rules, m.granularity(), from, to));
        }
        Panel panel = PanelBuilder.collect(media, PanelBuilder.targets(wh.read(Tables.SILVER_JOURNEYS), from, to), from,
                to, m.activityMeasure(), config.attribution().viewThroughWeight(), m.excludeChannels());
        if (m.experimentsWeight() > 0) {
            panel.liftTests.addAll(liftTests(Experiments.latest(wh, to, panel.firstDate), panel,
                    config.attribution().viewThroughWeight(), m.experimentsWeight()));
        }
        return panel;
    }

    /**
     * The lift tests of the panel's channels (a test's group is a channel, or a partner type of affiliate:&lt;type&gt;),
     * their days clipped to the panel. A test measures what the test arm's touches added; the channel's whole
     * activity over the test's days added that times all its touches (every touch, as the test arm's are counted)
     * over the test arm's. {@code weight} w counts a test as w such tests (its error over sqrt(w)).
     */
    static List<Panel.LiftTest> liftTests(List<Experiments.Test> tests, Panel panel, double impressionWeight,
                                          double weight) {
        List<Panel.LiftTest> out = new ArrayList<>();
        for (Experiments.Test test : tests) {
            int k = panel.channelIndex(test.group());
            k = k >= 0 ? k : panel.channelIndex("affiliate:" + test.group());
            int firstDay = (int) Math.max(0, test.start().toEpochDay() - panel.firstDate.toEpochDay());
            int lastDay = (int) Math.min(panel.days - 1, test.end().toEpochDay() - panel.firstDate.toEpochDay());
            double testTouches = test.weightedTouches(impressionWeight);
            if (k < 0 || lastDay < firstDay || testTouches <= 0) {
                continue;
            }
            double allTouches = 0;
            for (int r = 0; r < panel.regions.length; r++) {
                for (int t = firstDay; t <= lastDay; t++) {
                    allTouches += panel.clicks[k][r][t] + impressionWeight * panel.impressions[k][r][t];
                }
            }
            double scale = allTouches / testTouches;
            out.add(new Panel.LiftTest(test.id(), k, firstDay, lastDay, test.incrementalConversions() * scale,
                    test.standardError() * scale / Math.sqrt(weight)));
        }
        return out;
    }

    /**
     * The event ids of touches in the purchase session of an order placed up to {@code to} (column purchase_event_id).
     * Orders of later days are left out: a rerun of an old date sees the sessions its night saw.
     */
    static Dataset<Row> purchaseSessionTouches(Warehouse wh, PartnermixConfig config, LocalDate to) {
        Dataset<Row> ordersByThen = wh.read(Tables.SILVER_JOURNEYS)
                .where(col("is_converted").and(col("order_date").leq(Date.valueOf(to))))
                .select("order_id");
        return wh.read(Tables.SILVER_JOURNEY_TOUCHES).join(ordersByThen, ScalaSeqs.of("order_id"), "left_semi")
                .withColumn("in_purchase_session", PurchaseSessions.flag(config.attribution().incremental()))
                .where(col("in_purchase_session"))
                .select(col("event_id").as("purchase_event_id")).distinct();
    }

    /** Revenue the base journey model credited per MMM channel over the panel's days (empty without credit). */
    static Map<String, Double> journeyCreditedRevenue(Warehouse wh, PartnermixConfig config, Panel panel) {
        Map<String, Double> out = new HashMap<>();
        if (!wh.exists(Tables.GOLD_ATTRIBUTION_CREDIT)) {
            return out;
        }
        TouchRules rules = new TouchRules(config.journeys());
        wh.read(Tables.GOLD_ATTRIBUTION_CREDIT)
                .where(col("model").equalTo(config.mmm().baseModel()).and(col("event_id").isNotNull())
                        .and(col("order_date").between(Date.valueOf(panel.firstDate), Date.valueOf(panel.lastDate()))))
                .withColumn("mmm_channel", PanelBuilder.channelKey(config.mmm().granularity(), rules, col("channel"),
                        col("partner_id"), col("partner_type")))
                .groupBy("mmm_channel").agg(sum(col("credited_revenue_usd").cast("double")))
                .collectAsList()
                .forEach(r -> out.put(r.getString(0), r.isNullAt(1) ? 0.0 : r.getDouble(1)));
        return out;
    }

    static List<Row> fitRows(LocalDate date, Panel p, Result result, MmmSpec spec, PartnermixConfig.Mmm m,
                             Map<String, Double> journeyRevenue) {
        MediaMixModel.Fit full = result.full();
        MediaMixModel.Fit best = result.best();
        Decomposition dec = result.decomposition();
        MediaMixModel.Design design = MediaMixModel.design(p, full.candidate(), spec);
        List<String> controls = MediaMixModel.controlNames(p);
        Object[] common = {Date.valueOf(p.firstDate), Date.valueOf(p.lastDate()),
                Date.valueOf(p.date(p.days - spec.holdoutDays())), p.observations(), MediaMixModel.parameters(p),
                result.candidates(), best.candidate().index(), best.holdoutRmse(), best.holdoutMape(),
                best.holdoutR2(), full.trainR2(), full.revenueR2(), m.granularity(), m.activityMeasure(), m.baseModel()};
        List<Row> rows = new ArrayList<>();
        for (int j = 0; j < controls.size(); j++) {
            rows.add(row(date, controls.get(j), j < p.regions.length ? "intercept" : "control",
                    new Object[] {full.ordersCoef()[j], full.revenueCoef()[j], null, null, null, null, null, null,
                            null, null, null, null, null}, common));
        }
        double baseOrders = dec.totalBaselineOrders();
        double baseRevenue = 0;
        for (double[] r : dec.baselineRevenue) {
            for (double v : r) {
                baseRevenue += v;
            }
        }
        rows.add(row(date, BASELINE, BASELINE, new Object[] {null, null, null, null, null, null, null, null,
                baseOrders, baseRevenue, null, null, null}, common));
        for (int k = 0; k < p.channels.length; k++) {
            double activity = Decomposition.total(p.activity[k]);
            double cost = Decomposition.total(p.cost[k]);
            double revenue = dec.totalRevenue(k);
            Double journey = journeyRevenue.get(p.channels[k]);
            Double factor = journey == null ? null : Calibration.factor(revenue, journey);
            int j = design.controls + k;
            rows.add(row(date, p.channels[k], "media", new Object[] {full.ordersCoef()[j], full.revenueCoef()[j],
                    full.candidate().theta()[k], full.candidate().shape()[k], full.candidate().halfSaturation()[k],
                    design.halfSaturation[k], activity, cost, dec.totalOrders(k), revenue,
                    cost > 0 ? revenue / cost : null, journey, factor}, common));
        }
        return rows;
    }

    private static Row row(LocalDate date, String term, String type, Object[] values, Object[] common) {
        Object[] all = new Object[3 + values.length + common.length];
        all[0] = Date.valueOf(date);
        all[1] = term;
        all[2] = type;
        System.arraycopy(values, 0, all, 3, values.length);
        System.arraycopy(common, 0, all, 3 + values.length, common.length);
        return RowFactory.create(all);
    }

    static List<Row> contributionRows(LocalDate date, Panel p, Decomposition dec) {
        List<Row> rows = new ArrayList<>();
        Date run = Date.valueOf(date);
        for (int r = 0; r < p.regions.length; r++) {
            for (int t = 0; t < p.days; t++) {
                Date day = Date.valueOf(p.date(t));
                rows.add(RowFactory.create(run, day, p.regions[r], BASELINE, null, null, null, null,
                        dec.baselineOrders[r][t], dec.baselineRevenue[r][t], null, null));
                for (int k = 0; k < p.channels.length; k++) {
                    double cost = p.cost[k][r][t];
                    double revenue = dec.incrementalRevenue[k][r][t];
                    rows.add(RowFactory.create(run, day, p.regions[r], p.channels[k], p.activity[k][r][t],
                            p.clicks[k][r][t], p.impressions[k][r][t], cost, dec.incrementalOrders[k][r][t], revenue,
                            cost > 0 ? revenue / cost : null, dec.marginalRoi[k][r][t]));
                }
            }
        }
        return rows;
    }
}
