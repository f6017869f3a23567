package com.partnermix.generate;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The simulated partner programme: a catalog of partners covering every partner type, region,
 * payment model and rate currency, with a few changes over the period (a paused partner, one
 * terminated mid-period, one joining mid-period, one cps_rate change) so the daily snapshots
 * form a slowly changing dimension. Also names the partners that play the fraud roles.
 */
final class PartnerCatalog implements Serializable {

    private static final long serialVersionUID = 1L;

    static final String[] TYPES = {"creator", "content", "review", "community", "coupon", "deal", "cashback",
            "loyalty", "referral", "sub_network", "browser_extension", "agency", "b2b"};
    static final String[] TYPE_CODES = {"CR", "CT", "RV", "CM", "CP", "DL", "CB", "LY", "RF", "SN", "BX", "AG", "BB"};
    static final String[] MODELS = {"cps", "cpc", "cpm", "flat_fee", "hybrid"};
    static final String HEADER = "partner_id,partner_name,partner_type,region,payment_model,cps_rate,cpc_rate,cpm_rate,"
            + "flat_fee_monthly,rate_currency,stand_down_required,parent_partner_id,owned_coupon_codes,status,joined_date";
    /** Relative frequency of each type among the partners beyond the first one of each type. */
    private static final double[] TYPE_WEIGHT = {5, 3, 2, 2, 3, 2, 2, 1, 1, 1, 1, 1, 1};
    private static final String[] WORDS = {"Maya", "Nova", "Blue", "Peak", "Urban", "Zen", "Swift", "Bright", "Lumen",
            "Orbit", "Coral", "Aster", "Pine", "Ember", "Atlas", "Echo", "Vela", "Kite", "Moss", "Iris"};
    private static final String[] TYPE_WORDS = {"Moves", "Journal", "Reviewed", "Forum", "Coupons", "Deals", "Cashback",
            "Points", "Friends", "Network", "Extension", "Agency", "Business"};

    /** A partner with its change-over-time attributes. */
    record Partner(int index, String id, String name, int type, String region, String model, Double cps,
                   Double cpc, Double cpm, Double flatFee, String currency, boolean standDown, String parentId,
                   List<String> ownedCodes, String baseStatus, LocalDate joined, LocalDate terminatedOn,
                   LocalDate cpsChangeOn, Double cpsAfter) implements Serializable {

        String typeName() {
            return TYPES[type];
        }

        String statusOn(LocalDate date) {
            if (terminatedOn != null && !date.isBefore(terminatedOn)) {
                return "terminated";
            }
            return baseStatus;
        }

        boolean listedOn(LocalDate date) {
            return !joined.isAfter(date);
        }

        /** Whether the partner sends traffic on that day. */
        boolean activeOn(LocalDate date) {
            return listedOn(date) && statusOn(date).equals("active");
        }

        Double cpsOn(LocalDate date) {
            return cpsChangeOn != null && !date.isBefore(cpsChangeOn) ? cpsAfter : cps;
        }
    }

    final List<Partner> partners;
    /** The first partner of each type (indexes 0..12): GLOBAL and active throughout, used for fraud roles. */
    final int floodPartner;
    final int timingOutlierPartner;
    final int selfReferralPartner;
    final int creatorWithCode;
    final int couponSite;
    final int extension;

    private PartnerCatalog(List<Partner> partners) {
        this.partners = List.copyOf(partners);
        this.floodPartner = typeIndex("deal");
        this.timingOutlierPartner = typeIndex("cashback");
        this.selfReferralPartner = typeIndex("referral");
        this.creatorWithCode = typeIndex("creator");
        this.couponSite = typeIndex("coupon");
        this.extension = typeIndex("browser_extension");
    }

    static int typeIndex(String type) {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i].equals(type)) {
                return i;
            }
        }
        throw new IllegalArgumentException(type);
    }

    static int regionIndexOrZero(String region) {
        for (int i = 0; i < Geo.REGIONS.length; i++) {
            if (Geo.REGIONS[i].equals(region)) {
                return i;
            }
        }
        return 0;
    }

    static boolean serves(Partner p, int region) {
        return p.region().equals("GLOBAL") || p.region().equals(Geo.REGIONS[region]);
    }

    /**
     * Builds the catalog. Partners 0..12 are one per type, GLOBAL and active for the whole period;
     * the fraud roles and the always-present showcases rely on them.
     */
    static PartnerCatalog build(long seed, int count, LocalDate first, LocalDate last) {
        if (count < 16) {
            throw new IllegalArgumentException("--partners must be at least 16 (one per type plus status changes), got " + count);
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int days = (int) (last.toEpochDay() - first.toEpochDay()) + 1;
        int[] types = new int[count];
        String[] regions = new String[count];
        for (int i = 0; i < count; i++) {
            types[i] = i < TYPES.length ? i : pickWeighted(rng, TYPE_WEIGHT);
            regions[i] = i < TYPES.length ? "GLOBAL"
                    : (rng.nextDouble() < 0.15 ? "GLOBAL" : Geo.REGIONS[rng.nextInt(Geo.REGIONS.length)]);
        }
        // Status changes on partners past the first 13 so every type keeps an active partner.
        int paused = TYPES.length;
        int terminated = TYPES.length + 1;
        int lateJoiner = TYPES.length + 2;
        int rateChange = TYPES.length + 3;
        List<String> usedCodes = new ArrayList<>();
        List<Partner> out = new ArrayList<>();
        List<Integer> subNetworks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (types[i] == typeIndex("sub_network")) {
                subNetworks.add(i);
            }
        }
        for (int i = 0; i < count; i++) {
            int t = types[i];
            String type = TYPES[t];
            String id = String.format(Locale.ROOT, "P-%s-%03d", TYPE_CODES[t], i + 1);
            String name = WORDS[rng.nextInt(WORDS.length)] + " " + TYPE_WORDS[t] + (i >= TYPES.length ? " " + (i + 1) : "");
            String model = i < MODELS.length ? MODELS[i] : pickModel(rng, type);
            boolean upper = t <= 3;
            Double cps = null;
            Double cpc = null;
            Double cpm = null;
            Double flat = null;
            switch (model) {
                case "cps" -> cps = round2(upper ? 0.08 + rng.nextDouble() * 0.08 : 0.02 + rng.nextDouble() * 0.05);
                case "cpc" -> cpc = round2(0.10 + rng.nextDouble() * 0.70);
                case "cpm" -> cpm = round2(2 + rng.nextDouble() * 13);
                case "flat_fee" -> flat = (double) (200 + 100 * rng.nextInt(30));
                default -> {
                    cps = round2(0.04 + rng.nextDouble() * 0.08);
                    flat = (double) (200 + 100 * rng.nextInt(10));
                }
            }
            String currency = currencyFor(rng, regions[i]);
            boolean standDown = type.equals("browser_extension") || type.equals("loyalty");
            String parent = null;
            if (i >= TYPES.length && (t == 4 || t == 5 || t == 6 || t == 1) && rng.nextDouble() < 0.4 && !subNetworks.isEmpty()) {
                parent = String.format(Locale.ROOT, "P-SN-%03d", subNetworks.get(rng.nextInt(subNetworks.size())) + 1);
            }
            List<String> codes = new ArrayList<>();
            double codeChance = type.equals("creator") ? 0.8 : type.equals("coupon") || type.equals("deal") ? 0.3 : 0.08;
            if (i == 0 || (i != typeIndex("coupon") && rng.nextDouble() < codeChance)) {
                int n = 1 + (rng.nextDouble() < 0.3 ? 1 : 0);
                for (int k = 0; k < n; k++) {
                    String code;
                    do {
                        code = WORDS[rng.nextInt(WORDS.length)].toUpperCase(Locale.ROOT) + (5 * (1 + rng.nextInt(6)))
                                + (char) ('A' + rng.nextInt(26));
                    } while (usedCodes.contains(code));
                    usedCodes.add(code);
                    codes.add(code);
                }
            }
            String status = i == paused ? "paused" : "active";
            LocalDate joined = i == lateJoiner && days > 2
                    ? first.plusDays(days / 2)
                    : first.minusDays(30 + rng.nextInt(900));
            LocalDate terminatedOn = i == terminated && days > 1 ? first.plusDays(Math.max(1, days / 2)) : null;
            LocalDate cpsChangeOn = null;
            Double cpsAfter = null;
            if (i == rateChange) {
                if (cps == null) {
                    model = "cps";
                    cpc = null;
                    cpm = null;
                    flat = null;
                    cps = 0.05;
                }
                cpsChangeOn = first.plusDays(Math.max(1, days / 3));
                cpsAfter = round2(cps + 0.02);
            }
            out.add(new Partner(i, id, name, t, regions[i], model, cps, cpc, cpm, flat, currency, standDown, parent,
                    List.copyOf(codes), status, joined, terminatedOn, cpsChangeOn, cpsAfter));
        }
        return new PartnerCatalog(out);
    }

    private static String pickModel(SplittableRandom rng, String type) {
        double u = rng.nextDouble();
        if (type.equals("creator") || type.equals("content")) {
            return u < 0.4 ? "cps" : u < 0.6 ? "hybrid" : u < 0.75 ? "cpm" : u < 0.9 ? "flat_fee" : "cpc";
        }
        return u < 0.7 ? "cps" : u < 0.82 ? "cpc" : u < 0.9 ? "hybrid" : u < 0.95 ? "flat_fee" : "cpm";
    }

    private static String currencyFor(SplittableRandom rng, String region) {
        return switch (region) {
            case "EMEA" -> rng.nextDouble() < 0.6 ? "EUR" : "GBP";
            case "APAC" -> rng.nextDouble() < 0.6 ? "SGD" : "AUD";
            case "LATAM" -> rng.nextDouble() < 0.5 ? "BRL" : "USD";
            default -> "USD";
        };
    }

    static int pickWeighted(SplittableRandom rng, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private java.util.Map<String, Integer> codeOwners;

    /** The partner owning a coupon code, or -1 (generic codes belong to nobody). */
    synchronized int ownerOf(String code) {
        if (codeOwners == null) {
            codeOwners = new java.util.HashMap<>();
            for (Partner p : partners) {
                p.ownedCodes().forEach(c -> codeOwners.put(c, p.index()));
            }
        }
        return code == null ? -1 : codeOwners.getOrDefault(code, -1);
    }

    Partner get(int index) {
        return partners.get(index);
    }

    /** The partners.csv snapshot as of {@code date}: every partner that had joined by then. */
    List<String> snapshot(LocalDate date) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (Partner p : partners) {
            if (!p.listedOn(date)) {
                continue;
            }
            lines.add(String.join(",", p.id(), csv(p.name()), p.typeName(), p.region(), p.model(),
                    num(p.cpsOn(date)), num(p.cpc()), num(p.cpm()), num(p.flatFee()), p.currency(),
                    Boolean.toString(p.standDown()), p.parentId() == null ? "" : p.parentId(),
                    String.join(";", p.ownedCodes()), p.statusOn(date), p.joined().toString()));
        }
        return lines;
    }

    private static String num(Double v) {
        if (v == null) {
            return "";
        }
        return v == Math.rint(v) ? Long.toString(v.longValue()) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String csv(String s) {
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
