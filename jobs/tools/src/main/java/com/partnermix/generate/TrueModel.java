package com.partnermix.generate;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The causal truth of the simulation: purchase hazard per person and day
 * {@code p = base[region, date] * (1 + sum_k effect[k] * stock[k])}, where
 * {@code stock[k] = sum over the person's past touches of source k of weight * decay[k]^(age in days)}
 * (weight 1 for a click, {@link #IMPRESSION_FACTOR} for an impression). Sources k are the eight
 * non-affiliate channels and the thirteen partner types. Also the daily activity of every source per
 * region (flights, pauses, weekly pattern, random walk) that drives touch volumes and paid spend.
 * Everything here is bounded by days x regions x sources and built on the driver.
 */
final class TrueModel implements Serializable {

    private static final long serialVersionUID = 1L;

    static final String[] CHANNELS = {"paid_search", "paid_social", "display", "email", "organic_search",
            "organic_social", "referral", "direct"};
    static final int N_CHANNELS = CHANNELS.length;
    static final int N_SOURCES = N_CHANNELS + PartnerCatalog.TYPES.length;
    static final double IMPRESSION_FACTOR = 0.3;
    static final double INTERCEPT_PROBABILITY = 0.3;
    /** Conversion partner types that intercept a decided purchase, and how often each is picked. */
    static final int[] INTERCEPT_TYPES = {typeSource("coupon"), typeSource("deal"), typeSource("cashback"),
            typeSource("browser_extension"), typeSource("sub_network")};
    static final double[] INTERCEPT_WEIGHTS = {3, 2, 2, 1.5, 1};

    static final double[] BASE_RATE = {0.005, 0.0045, 0.004, 0.0035};
    static final double[] WEEKDAY = {0.95, 0.95, 1.0, 1.0, 1.05, 1.15, 1.1};

    // Per source: true effect per click, carry-over per day, clicks and impressions per person-day at activity 1.
    private static final double[] EFFECT = {1.8, 1.0, 0.5, 1.2, 1.4, 0.6, 0.8, 0.6,
            1.6, 1.5, 1.8, 1.2, 0.2, 0.2, 0.15, 1.0, 1.4, 0.2, 0.05, 0.8, 0.8};
    private static final double[] DECAY = {0.5, 0.7, 0.8, 0.6, 0.5, 0.7, 0.6, 0.4,
            0.85, 0.8, 0.75, 0.8, 0.3, 0.3, 0.3, 0.6, 0.7, 0.3, 0.2, 0.7, 0.7};
    static final double[] CLICK_RATE = {0.030, 0.012, 0.004, 0.015, 0.035, 0.010, 0.008, 0.030,
            0.010, 0.008, 0.008, 0.005, 0.004, 0.004, 0.003, 0.003, 0.002, 0.003, 0.002, 0.002, 0.0015};
    static final double[] IMPRESSION_RATE = {0.06, 0.15, 0.30, 0.05, 0, 0.03, 0, 0,
            0.06, 0.02, 0.01, 0.01, 0, 0.005, 0, 0, 0, 0.005, 0, 0.005, 0};
    /** Paid channels with a spend feed: cost per thousand impressions and per click, in USD. */
    private static final double[] SPEND_CPM = {0.5, 6.0, 3.0, 0.4};
    private static final double[] SPEND_CPC = {1.2, 0.5, 0.3, 0.05};
    /** Mean of the per-person activity multiplier exp(U(-0.7, 0.7)). */
    static final double MEAN_PROPENSITY = Math.sinh(0.7) / 0.7;

    final GeneratorOptions options;
    final PartnerCatalog catalog;
    final double[] effect = new double[N_SOURCES];
    final double[] decay = DECAY.clone();
    /** activity[day][region][source] >= 0. */
    final double[][][] activity;
    /** base[day][region] = BASE_RATE * weekday * season. */
    final double[][] base;
    /** midnight[country][day] epoch millis of local midnight; one extra day at the end. */
    final long[][] midnight;
    /** Partners sending traffic per [day][region][type]. */
    final int[][][][] partnersByType;
    final String[] dates;
    /** usd_per_unit[day][currency index of Geo.CURRENCIES]. */
    final double[][] fx;
    /** The run's rates and delays of fraud patterns and honest look-alikes. */
    final BehaviourProfile profile;

    TrueModel(GeneratorOptions options, PartnerCatalog catalog) {
        this.options = options;
        this.catalog = catalog;
        this.profile = BehaviourProfile.draw(options.seed(), options.holdout());
        int days = options.days();
        for (int k = 0; k < N_SOURCES; k++) {
            effect[k] = options.knockouts().contains(sourceName(k)) ? 0.0 : EFFECT[k];
        }
        dates = new String[days];
        for (int d = 0; d < days; d++) {
            dates[d] = options.date(d).toString();
        }
        SplittableRandom rng = new SplittableRandom(options.seed() * 31 + 7);
        activity = buildActivity(rng, days);
        base = new double[days][Geo.REGIONS.length];
        for (int d = 0; d < days; d++) {
            LocalDate date = options.date(d);
            double f = WEEKDAY[date.getDayOfWeek().getValue() - 1] * season(date);
            for (int r = 0; r < Geo.REGIONS.length; r++) {
                base[d][r] = BASE_RATE[r] * f;
            }
        }
        midnight = new long[Geo.COUNTRIES.length][days + 1];
        for (int c = 0; c < Geo.COUNTRIES.length; c++) {
            for (int d = 0; d <= days; d++) {
                midnight[c][d] = Geo.localMidnight(c, options.date(d));
            }
        }
        partnersByType = new int[days][Geo.REGIONS.length][PartnerCatalog.TYPES.length][];
        for (int d = 0; d < days; d++) {
            LocalDate date = options.date(d);
            for (int r = 0; r < Geo.REGIONS.length; r++) {
                for (int t = 0; t < PartnerCatalog.TYPES.length; t++) {
                    List<Integer> ids = new ArrayList<>();
                    for (PartnerCatalog.Partner p : catalog.partners) {
                        if (p.type() == t && p.activeOn(date) && PartnerCatalog.serves(p, r)
                                && p.index() != catalog.floodPartner) {
                            ids.add(p.index());
                        }
                    }
                    partnersByType[d][r][t] = ids.stream().mapToInt(Integer::intValue).toArray();
                }
            }
        }
        fx = new double[days][Geo.CURRENCIES.length];
        double[] rate = Geo.USD_PER_UNIT.clone();
        for (int d = 0; d < days; d++) {
            for (int c = 0; c < rate.length; c++) {
                if (c > 0) {
                    rate[c] *= Math.exp((rng.nextDouble() - 0.5) * 0.008);
                }
                fx[d][c] = rate[c];
            }
        }
    }

    static int typeSource(String type) {
        return N_CHANNELS + PartnerCatalog.typeIndex(type);
    }

    static boolean isAffiliate(int source) {
        return source >= N_CHANNELS;
    }

    /** The channel (for affiliate sources, the partner type) a source stands for. */
    static String sourceName(int source) {
        return source < N_CHANNELS ? CHANNELS[source] : PartnerCatalog.TYPES[source - N_CHANNELS];
    }

    static String channelOf(int source) {
        return source < N_CHANNELS ? CHANNELS[source] : "affiliate";
    }

    static double season(LocalDate date) {
        int doy = date.getDayOfYear();
        double peak = (doy - 331) / 12.0; // late-November shopping peak
        return 1 + 0.25 * Math.exp(-peak * peak) + 0.1 * Math.cos(2 * Math.PI * (doy - 350) / 365.0);
    }

    private double[][][] buildActivity(SplittableRandom rng, int days) {
        double[][][] a = new double[days][Geo.REGIONS.length][N_SOURCES];
        for (int r = 0; r < Geo.REGIONS.length; r++) {
            for (int k = 0; k < N_SOURCES; k++) {
                double walk = 0;
                int pause = 0;
                int burst = 0;
                boolean canPause = k == 1 || k == 2 || k == 3 || k == typeSource("creator") || k == typeSource("content")
                        || k == typeSource("community") || k == typeSource("agency");
                boolean organic = k >= 4 && k < N_CHANNELS;
                double level = 0.7 + 0.6 * rng.nextDouble();
                for (int d = 0; d < days; d++) {
                    DayOfWeek dow = options.date(d).getDayOfWeek();
                    walk = 0.85 * walk + (rng.nextDouble() - 0.5) * (organic ? 0.1 : 0.4);
                    double u = rng.nextDouble();
                    if (pause > 0) {
                        pause--;
                    } else if (canPause && u < 0.06) {
                        pause = 3 + rng.nextInt(5);
                    }
                    if (burst > 0) {
                        burst--;
                    } else if (!organic && rng.nextDouble() < 0.05) {
                        burst = 4 + rng.nextInt(5);
                    }
                    double v = pause > 0 ? 0 : level * weekly(k, dow) * Math.exp(walk) * (burst > 0 ? 1.8 : 1.0);
                    a[d][r][k] = v;
                }
            }
        }
        return a;
    }

    private static double weekly(int k, DayOfWeek dow) {
        boolean weekend = dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY;
        return switch (k) {
            case 0 -> weekend ? 0.8 : 1.05;
            case 1 -> weekend ? 1.25 : 0.95;
            case 3 -> dow == DayOfWeek.TUESDAY || dow == DayOfWeek.THURSDAY ? 1.8 : 0.7;
            case 4, 5 -> weekend ? 1.1 : 0.97;
            default -> k >= N_CHANNELS && k <= N_CHANNELS + 3 ? (weekend ? 1.3 : 0.9) : 1.0;
        };
    }

    /** Rows of spend.csv for one day: paid channels per region, consistent with their simulated activity. */
    List<String> spendRows(int day) {
        SplittableRandom rng = new SplittableRandom(options.seed() * 131 + day);
        List<String> rows = new ArrayList<>();
        rows.add("date,channel,region,currency,spend,impressions,clicks");
        for (int k = 0; k < 4; k++) {
            for (int r = 0; r < Geo.REGIONS.length; r++) {
                double people = options.persons() * Geo.REGION_SHARE[r] * MEAN_PROPENSITY * activity[day][r][k];
                long imps = Math.round(people * IMPRESSION_RATE[k] * (0.97 + 0.06 * rng.nextDouble()));
                long clicks = Math.round(people * CLICK_RATE[k] * (0.97 + 0.06 * rng.nextDouble()));
                double usd = (imps / 1000.0 * SPEND_CPM[k] + clicks * SPEND_CPC[k]) * (0.95 + 0.1 * rng.nextDouble());
                String currency = r == 1 ? "EUR" : "USD";
                double amount = r == 1 ? usd / fx[day][1] : usd;
                rows.add(String.join(",", dates[day], CHANNELS[k], Geo.REGIONS[r], currency,
                        String.format(Locale.ROOT, "%.2f", amount), Long.toString(imps), Long.toString(clicks)));
            }
        }
        return rows;
    }

    List<String> fxRows(int day) {
        List<String> rows = new ArrayList<>();
        rows.add("date,currency,usd_per_unit");
        for (int c = 0; c < Geo.CURRENCIES.length; c++) {
            String v = c == 0 ? "1" : String.format(Locale.ROOT, "%.6g", fx[day][c]);
            rows.add(dates[day] + "," + Geo.CURRENCIES[c] + "," + v);
        }
        return rows;
    }

    /** The content of effects.json: everything a check needs to know about the causal truth. */
    Map<String, Object> effectsDocument() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("seed", options.seed());
        doc.put("persons", options.persons());
        doc.put("days", options.days());
        doc.put("partners", options.partners());
        doc.put("first_date", options.firstDate().toString());
        doc.put("last_date", options.lastDate().toString());
        doc.put("hazard", "P(order by person on day) = base_rate[region] * weekday_factor * season(date)"
                + " * (1 + sum_k effect[k] * sum over past genuine touches of source k of weight * decay[k]^age_days);"
                + " weight 1 for a click, impression_factor for an impression; age 0 = same day. Sources are"
                + " non-affiliate channels and, for channel affiliate, the partner type.");
        doc.put("impression_factor", IMPRESSION_FACTOR);
        doc.put("intercept_probability", INTERCEPT_PROBABILITY);
        Map<String, Object> bases = new LinkedHashMap<>();
        for (int r = 0; r < Geo.REGIONS.length; r++) {
            bases.put(Geo.REGIONS[r], BASE_RATE[r]);
        }
        doc.put("base_rates", bases);
        Map<String, Object> weekdays = new LinkedHashMap<>();
        for (DayOfWeek d : DayOfWeek.values()) {
            weekdays.put(d.name().toLowerCase(Locale.ROOT), WEEKDAY[d.getValue() - 1]);
        }
        doc.put("weekday_factors", weekdays);
        Map<String, Object> daily = new LinkedHashMap<>();
        for (int d = 0; d < options.days(); d++) {
            Map<String, Object> perRegion = new LinkedHashMap<>();
            for (int r = 0; r < Geo.REGIONS.length; r++) {
                perRegion.put(Geo.REGIONS[r], base[d][r]);
            }
            daily.put(dates[d], perRegion);
        }
        doc.put("base_rate_by_date", daily);
        Map<String, Object> channels = new LinkedHashMap<>();
        Map<String, Object> types = new LinkedHashMap<>();
        for (int k = 0; k < N_SOURCES; k++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("effect", effect[k]);
            e.put("decay", decay[k]);
            e.put("clicks_per_person_day", CLICK_RATE[k]);
            e.put("impressions_per_person_day", IMPRESSION_RATE[k]);
            (isAffiliate(k) ? types : channels).put(sourceName(k), e);
        }
        doc.put("channel_effects", channels);
        doc.put("partner_type_effects", types);
        doc.put("knockouts", options.knockouts());
        Map<String, Object> fraud = new LinkedHashMap<>();
        fraud.put("click_flood_partner", catalog.get(catalog.floodPartner).id());
        fraud.put("timing_outlier_partner", catalog.get(catalog.timingOutlierPartner).id());
        fraud.put("self_referral_partner", catalog.get(catalog.selfReferralPartner).id());
        fraud.put("consented_code_publisher", catalog.get(catalog.couponSite).id() + " publishes the codes of "
                + catalog.get(catalog.creatorWithCode).id() + " with consent (allow-listed in fraud.rules.coupon_leakage)");
        fraud.put("note", "fraudulent touches (cookie stuffing, click flood, snipes, hijacks, stand-down violations,"
                + " leaked-coupon clicks, self-referral) have no causal effect and are not in the hazard;"
                + " self-referral orders and the one forced showcase order per fraud pattern (persons 0-7) are"
                + " extra orders outside the hazard; loyal customers' weekly orders are extra orders counted in the"
                + " baseline");
        fraud.put("behaviour_profile", profile.document());
        doc.put("fraud", fraud);
        return doc;
    }
}
