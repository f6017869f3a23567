package com.partnermix.generate;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Simulates one person over the generated days: devices and identity, touches driven by the
 * daily channel activity, click sessions with page views, purchases drawn from the true hazard
 * ({@link TrueModel}), conversion-partner intercepts, order updates, and the injected fraud
 * patterns with their labels. Honest behaviours that look like fraud are simulated unlabelled
 * (rates and delays from the run's {@link BehaviourProfile}): coupon-site detours from the cart,
 * clicks that bounce, partner links opened in tabs and visited later, devices behind shared NAT
 * addresses, codes remembered or passed on by friends or published with consent, loyal weekly
 * buyers, software partners clicking on a new visit or after a landing without afsrc=1. Content comes from a SplittableRandom seeded by (seed, person);
 * delivery (late, duplicate, malformed) from a second, independent stream in {@link Delivery}.
 * One instance per Spark task: it also sums the expected incremental orders per day, region and
 * source over the task's persons.
 */
final class PersonSimulator {

    static final String SHOP = "https://shop.example.com";
    static final String KIOSK_ID = "a-kiosk-0001";
    /** A click without a referrer (see {@code partnerClick}). */
    private static final String NO_REFERRER = "";
    static final String[] RULES = {"STAND_DOWN_VIOLATION", "BASKET_HIJACK", "LAST_SECOND_SNIPE", "COUPON_LEAKAGE",
            "COOKIE_STUFFING", "CLICK_FLOOD", "SELF_REFERRAL", "TIMING_OUTLIER"};
    private static final int NONE = -1;
    private static final int STAND_DOWN = 0;
    private static final int HIJACK = 1;
    private static final int SNIPE = 2;
    private static final int LEAKAGE = 3;
    private static final int STUFFING = 4;
    private static final int FLOOD = 5;
    private static final int SELF_REFERRAL = 6;
    private static final int TIMING = 7;
    private static final String[] GENERIC_CODES = {"WELCOME10", "SAVE15", "FREESHIP", "HOLIDAY20"};
    private static final String[] PATHS = {"p/yoga-mat", "p/running-shoes", "p/water-bottle", "c/outdoor", "c/fitness",
            "p/backpack", "c/sale", "p/headphones", "p/jacket", "p/smart-watch"};
    private static final String[] DEVICE_TYPES = {"mobile", "desktop", "tablet"};
    private static final String[][] USER_AGENTS = {
            {"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)", "Mozilla/5.0 (Linux; Android 15; Pixel 9)"},
            {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Safari/605.1"},
            {"Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X)", "Mozilla/5.0 (Linux; Android 14; SM-X710)"}};
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long LOOKBACK = 30L * 24 * HOUR;

    /** A partner click: when, on which device, and whether it was flooded. */
    private record AffiliateClick(long ts, String eventId, int partner, int device, boolean flood) {}

    /** A landing URL telling software partners to stand down. */
    private static final java.util.regex.Pattern AFSRC = java.util.regex.Pattern.compile(".*[?&]afsrc=1(&.*)?$");

    /** A click (partner >= 0), an order (orderId set) or another on-site event, with its emission sequence. */
    private record SiteEvent(long ts, int seq, int partner, int device, boolean afsrc, String eventId, String orderId) {}

    /** An order placed; {@code leakOwner}: the owner of the code the leakage pattern made it use, or -1. */
    private record PlacedOrder(String orderId, long ts, int device, int leakOwner) {}

    /** Honest order journeys that look like a fraud pattern (never labelled). */
    private static final int DETOUR = 1;
    private static final int NEW_VISIT_STAND_DOWN = 2;
    private static final int NO_AFSRC_STAND_DOWN = 3;

    private final TrueModel m;
    private final GeneratorOptions o;
    private final BehaviourProfile bp;
    private final PartnerCatalog cat;
    private final int days;
    /** Shared NAT addresses (offices, schools, mobile carriers), each with hundreds of devices. */
    private final int natIps;
    /** Expected orders per [day][region][source], last index = baseline, summed over this task's persons. */
    final double[][][] contributions;
    /**
     * The lift tests' truth per [day][source], summed over this task's persons: expected orders added by the touches
     * since the tests' first day ({@link GeneratorOptions#liftTestStart()}), what withholding them would take away,
     * and the clicks and impressions of those touches.
     */
    final double[][] liftOrders;
    final long[][] liftClicks;
    final long[][] liftImpressions;
    long ordersPlaced;

    PersonSimulator(TrueModel model) {
        this.m = model;
        this.o = model.options;
        this.bp = model.profile;
        this.cat = model.catalog;
        this.days = o.days();
        this.natIps = (int) Math.max(1, Math.round(o.persons() * 1.65 * bp.natDeviceShare() / bp.natDevicesPerIp()));
        this.contributions = new double[days][Geo.REGIONS.length][TrueModel.N_SOURCES + 1];
        this.liftOrders = new double[days][TrueModel.N_SOURCES];
        this.liftClicks = new long[days][TrueModel.N_SOURCES];
        this.liftImpressions = new long[days][TrueModel.N_SOURCES];
    }

    /** The k-th shared NAT address, in the carrier-grade NAT range. */
    static String natIp(int k) {
        return "100.64." + (k / 250) + "." + (1 + k % 250);
    }

    static long mix(long seed, long person, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + person * 0xBF58476D1CE4E5B9L + stream * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    void simulate(long person, Delivery.Sink sink) {
        new Person(person, sink).run();
    }

    /** The identity truth rows that no person owns: the shared kiosk device. */
    static String kioskIdentityRow() {
        return KIOSK_ID + ",shared";
    }

    private final class Person {
        final long index;
        final String pid;
        final SplittableRandom rng;
        final Delivery out;
        final int region;
        final int country;
        final String countryCode;
        final String currency;
        final double propensity;
        final String userId;
        final String[] anon;
        final String[] deviceType;
        final String[] ip;
        final String[] ua;
        final boolean[] remembered;
        final double[] stock = new double[TrueModel.N_SOURCES];
        /** The part of the stock built since the lift tests began. */
        final double[] testStock = new double[TrueModel.N_SOURCES];
        final int showcase;
        int events;
        int orderCount;
        int pastOrders;
        int lastOrderDay = -1000;
        // partner clicks and orders: the click-flood and leakage labels are given at the end (see labelLastClicks)
        final java.util.List<AffiliateClick> affiliateClicks = new java.util.ArrayList<>();
        final java.util.List<PlacedOrder> placedOrders = new java.util.ArrayList<>();
        final boolean[] loggedInOnce;   // per device: a record of it carried the login (what stitches devices)
        // clicks, page views and orders, for the stand-down label (see labelStandDowns): they are emitted out of
        // time order (floods, stuffing and tab bursts before the day's browsing), so labels are given at the end
        final java.util.List<SiteEvent> siteEvents = new java.util.ArrayList<>();
        // last click of a partner owning coupon codes
        int codeOwner = -1;
        long codeOwnerTs;
        long todayLastTs;
        int todayLastDev;

        Person(long index, Delivery.Sink sink) {
            this.index = index;
            this.pid = Long.toString(index, 36);
            this.rng = new SplittableRandom(mix(o.seed(), index, 1));
            this.out = new Delivery(o, m.dates, new SplittableRandom(mix(o.seed(), index, 2)), sink);
            this.region = PartnerCatalog.pickWeighted(rng, Geo.REGION_SHARE);
            double[] shares = new double[Geo.COUNTRIES.length];
            for (int c = 0; c < shares.length; c++) {
                shares[c] = Geo.COUNTRY_REGION[c] == region ? Geo.COUNTRY_SHARE_IN_REGION[c] : 0;
            }
            this.country = PartnerCatalog.pickWeighted(rng, shares);
            this.countryCode = Geo.COUNTRIES[country];
            this.currency = Geo.COUNTRY_CURRENCY[country];
            this.propensity = Math.exp((rng.nextDouble() * 2 - 1) * 0.7);
            this.userId = "c-" + String.format("%016x", mix(o.seed(), index, 3));
            double u = rng.nextDouble();
            int n = u < 0.5 ? 1 : u < 0.85 ? 2 : 3;
            anon = new String[n];
            deviceType = new String[n];
            ip = new String[n];
            ua = new String[n];
            remembered = new boolean[n];
            loggedInOnce = new boolean[n];
            for (int d = 0; d < n; d++) {
                anon[d] = "a-" + String.format("%012x", mix(o.seed(), index, 10 + d) >>> 16);
                int t = d == 0 ? 0 : rng.nextInt(3);
                deviceType[d] = DEVICE_TYPES[t];
                ua[d] = USER_AGENTS[t][rng.nextInt(2)];
                ip[d] = rng.nextDouble() < bp.natDeviceShare()
                        ? natIp(rng.nextInt(natIps))
                        : rng.nextDouble() < 0.1
                        ? String.format("2001:db8:%x:%x::%x", rng.nextInt(65536), rng.nextInt(65536), 1 + rng.nextInt(65535))
                        : (11 + rng.nextInt(200)) + "." + rng.nextInt(256) + "." + rng.nextInt(256) + "." + (1 + rng.nextInt(254));
            }
            this.pastOrders = rng.nextDouble() < 0.35 ? 1 : 0;
            this.showcase = index < RULES.length ? (int) index : NONE;
        }

        void run() {
            for (String a : anon) {
                out.truth(Delivery.TRUTH_IDENTITY, a + ",p-" + pid);
            }
            boolean selfReferrer = showcase == SELF_REFERRAL || rng.nextDouble() < bp.selfReferrerRate();
            boolean stuffed = showcase == STUFFING || rng.nextDouble() < bp.stuffedPersonRate();
            boolean flooded = showcase == FLOOD || rng.nextDouble() < bp.floodedPersonRate();
            boolean kioskUser = rng.nextDouble() < 0.03;
            // a loyal customer buys through the same loyalty or referral link every week (honest repeat orders)
            int loyalPartner = pastOrders > 0 && rng.nextDouble() < bp.loyalShare() ? pickLoyalPartner() : -1;
            int nextLoyalDay = loyalPartner >= 0 ? rng.nextInt(bp.loyalIntervalMax()) : days;
            int stuffDay = rng.nextInt(days);
            int kioskDay = rng.nextInt(days);
            int forcedDay = showcase == NONE ? -1 : rng.nextInt(days);
            int floods = flooded ? 1 + rng.nextInt(4) : 0;
            int[] floodDay = new int[floods];
            long[] floodOffset = new long[floods];
            for (int i = 0; i < floods; i++) {
                floodDay[i] = i == 0 && showcase == FLOOD ? forcedDay : rng.nextInt(days);
                floodOffset[i] = i == 0 && showcase == FLOOD ? 7 * HOUR + rng.nextLong(HOUR) : rng.nextLong(24 * HOUR - MINUTE);
            }
            for (int d = 0; d < days; d++) {
                if (d > 0) {
                    for (int k = 0; k < stock.length; k++) {
                        stock[k] *= m.decay[k];
                        testStock[k] *= m.decay[k];
                    }
                }
                todayLastTs = 0;
                todayLastDev = rng.nextInt(anon.length);
                long dayStart = m.midnight[country][d];
                for (int i = 0; i < floods; i++) {
                    if (floodDay[i] == d) {
                        floodClick(d, dayStart + floodOffset[i]);
                    }
                }
                if (stuffed && d == stuffDay) {
                    cookieStuffing(d, dayStart + 6 * HOUR + rng.nextLong(16 * HOUR));
                }
                if (kioskUser && d == kioskDay) {
                    kioskSession(d, dayStart + 9 * HOUR + rng.nextLong(10 * HOUR));
                }
                if (rng.nextDouble() < bp.tabBurstDayRate()) {
                    tabBurst(d, Math.max(todayLastTs + MINUTE, dayStart + 8 * HOUR + rng.nextLong(10 * HOUR)));
                }
                organicTouches(d, dayStart);
                if (d == nextLoyalDay) {
                    loyalOrder(d, dayStart, loyalPartner);
                    nextLoyalDay += bp.loyalIntervalMin() + rng.nextInt(bp.loyalIntervalMax() - bp.loyalIntervalMin() + 1);
                }
                double h = m.base[d][region];
                double lift = 0;
                double[] c = contributions[d][region];
                for (int k = 0; k < stock.length; k++) {
                    double part = m.base[d][region] * m.effect[k] * stock[k];
                    c[k] += part;
                    lift += part;
                    liftOrders[d][k] += m.base[d][region] * m.effect[k] * testStock[k];
                }
                c[TrueModel.N_SOURCES] += m.base[d][region];
                h += lift;
                boolean buy = rng.nextDouble() < Math.min(h, 0.9);
                if (buy || d == forcedDay && showcase != SELF_REFERRAL && showcase != STUFFING) {
                    int pattern = showcase != NONE && d == forcedDay ? showcase : drawPattern();
                    orderSession(d, dayStart, pattern);
                }
                if (selfReferrer && (rng.nextDouble() < bp.selfReferralDayRate() || d == forcedDay)) {
                    selfReferralOrder(d, dayStart + 8 * HOUR + rng.nextLong(12 * HOUR));
                }
            }
            labelLastClicks();
            labelStandDowns();
        }

        /**
         * STAND_DOWN_VIOLATION labels, in time order: a click of a stand-down partner (software) after another
         * partner's click whose landing URL carried afsrc=1, on the same device, in the same on-site session (clicks,
         * page views and orders; 30 minutes of silence end one), injected or not; the label names the person's next
         * order within 30 days.
         */
        void labelStandDowns() {
            siteEvents.sort(java.util.Comparator.comparingLong(SiteEvent::ts).thenComparingInt(SiteEvent::seq));
            long lastTs = Long.MIN_VALUE;
            long sessionStart = Long.MIN_VALUE;
            SiteEvent open = null;   // last click of a partner not required to stand down, since the last order
            java.util.List<SiteEvent> violations = new java.util.ArrayList<>();
            for (SiteEvent e : siteEvents) {
                if (lastTs == Long.MIN_VALUE || e.ts() - lastTs > 30 * MINUTE) {
                    sessionStart = e.ts();
                }
                lastTs = e.ts();
                if (e.orderId() != null) {
                    for (SiteEvent v : violations) {
                        if (e.ts() - v.ts() < 30L * 24 * HOUR) {
                            label(STAND_DOWN, e.orderId(), v.eventId(), v.partner());
                        }
                    }
                    violations.clear();
                    open = null;
                } else if (e.partner() >= 0) {
                    if (!cat.get(e.partner()).standDown()) {
                        open = e;
                    } else if (open != null && open.partner() != e.partner() && open.ts() >= sessionStart
                            && open.afsrc() && open.device() == e.device()) {
                        violations.add(e);   // software on this device was told to stand down (afsrc=1)
                    }
                }
            }
            siteEvents.clear();
        }

        /**
         * The click-flood and leakage labels name the click that holds an order's last-click credit: the person's
         * last partner click at or before the order, after their previous order, within the 30-day lookback, on a
         * device tied to the order's (the same one, or both logged in at some point: logins are what stitches
         * devices; a click on a device never logged in cannot be credited to an order on another). Decided at the
         * end, once every click (flood clicks are emitted out of time order) and every login is known.
         */
        void labelLastClicks() {
            placedOrders.sort(java.util.Comparator.comparingLong(PlacedOrder::ts));
            for (int i = 0; i < placedOrders.size(); i++) {
                PlacedOrder order = placedOrders.get(i);
                long previousOrderTs = Long.MIN_VALUE;
                for (int j = i - 1; j >= 0 && previousOrderTs == Long.MIN_VALUE; j--) {
                    if (tied(placedOrders.get(j).device(), order.device())) {
                        previousOrderTs = placedOrders.get(j).ts();
                    }
                }
                AffiliateClick credited = null;
                for (AffiliateClick c : affiliateClicks) {
                    boolean inJourney = c.ts() > previousOrderTs && c.ts() <= order.ts()
                            && order.ts() - c.ts() <= LOOKBACK && tied(c.device(), order.device());
                    if (inJourney && (credited == null || c.ts() >= credited.ts())) {
                        credited = c;
                    }
                }
                if (order.leakOwner() >= 0 && !(credited != null && credited.partner() == order.leakOwner())) {
                    // a code remembered from one partner while another (or no) partner has the last click: leakage too
                    out.truth(Delivery.TRUTH_FRAUD, RULES[LEAKAGE] + "," + order.orderId() + ","
                            + (credited != null ? credited.eventId() + "," + cat.get(credited.partner()).id() : ","));
                }
                if (credited != null && credited.flood() && credited.partner() == cat.floodPartner) {
                    label(FLOOD, order.orderId(), credited.eventId(), cat.floodPartner);
                }
            }
        }

        /** Whether the warehouse can see two devices as one person. */
        boolean tied(int device, int other) {
            return device == other || loggedInOnce[device] && loggedInOnce[other];
        }

        int drawPattern() {
            double u = rng.nextDouble();
            double standDown = bp.standDownRate();
            double hijack = standDown + bp.hijackRate();
            double snipe = hijack + bp.snipeRate();
            double leakage = snipe + bp.leakageRate();
            return u < standDown ? STAND_DOWN : u < hijack ? HIJACK : u < snipe ? SNIPE : u < leakage ? LEAKAGE : NONE;
        }

        /** An honest journey that looks like a fraud pattern, for an order without one (or NONE). */
        int drawLookAlike() {
            double u = rng.nextDouble();
            double detour = bp.couponDetourRate();
            double newVisit = detour + bp.newVisitStandDownRate();
            double noAfsrc = newVisit + bp.noAfsrcStandDownRate();
            return u < detour ? DETOUR : u < newVisit ? NEW_VISIT_STAND_DOWN : u < noAfsrc ? NO_AFSRC_STAND_DOWN : NONE;
        }

        /** A loyalty or referral partner active over the whole period, other than the self-referral partner. */
        int pickLoyalPartner() {
            java.util.List<Integer> candidates = new java.util.ArrayList<>();
            for (String type : new String[] {"loyalty", "referral"}) {
                for (int p : m.partnersByType[0][region][PartnerCatalog.typeIndex(type)]) {
                    boolean throughout = false;
                    for (int q : m.partnersByType[days - 1][region][PartnerCatalog.typeIndex(type)]) {
                        throughout |= q == p;
                    }
                    if (throughout && p != cat.selfReferralPartner) {
                        candidates.add(p);
                    }
                }
            }
            return candidates.isEmpty() ? PartnerCatalog.typeIndex("loyalty") : candidates.get(rng.nextInt(candidates.size()));
        }

        /**
         * Several partner links opened in tabs within seconds (from a comparison page), each tab visited later:
         * honest fast clicks without an immediate page view. Under the holdout profile some tabs are never opened.
         */
        void tabBurst(int d, long ts) {
            int dev = rng.nextInt(anon.length);
            int n = 2 + rng.nextInt(bp.tabsMax() - 1);
            String[] types = {"content", "review", "deal", "coupon", "creator", "cashback", "community"};
            java.util.List<Integer> used = new java.util.ArrayList<>();
            java.util.List<String> landings = new java.util.ArrayList<>();
            String commonReferrer = bp.name().equals("holdout") ? "https://compare" + rng.nextInt(30) + ".example.com/best"
                    : null;
            long t = ts;
            for (int i = 0; i < n; i++) {
                int partner = pickPartner(d, types, -1);
                for (int attempt = 0; attempt < 10 && used.contains(partner); attempt++) {
                    partner = pickPartner(d, types, -1);
                }
                if (used.contains(partner)) {
                    continue;
                }
                used.add(partner);
                PartnerCatalog.Partner p = cat.get(partner);
                boolean network = p.parentId() != null || rng.nextDouble() < 0.6;
                Rec r = partnerClick(t, partner, SHOP + "/" + PATHS[rng.nextInt(PATHS.length)]
                        + (network ? "?afsrc=1" : ""), commonReferrer);
                emitPartnerClick(d, r, dev, remembered[dev], t, partner, false);
                expose(d, TrueModel.N_CHANNELS + p.type(), true);
                landings.add(r.get("landing_url"));
                t += 200 + rng.nextLong(bp.tabSpacingMax() - 199);
            }
            long[] visits = new long[landings.size()];
            for (int i = 0; i < visits.length; i++) {
                visits[i] = t + 5_000 + rng.nextLong(bp.tabVisitDelayMax() - 4_999);
            }
            Arrays.sort(visits);
            long last = t;
            for (int i = 0; i < visits.length; i++) {
                if (rng.nextDouble() < bp.tabNeverOpened()) {
                    continue;
                }
                long v = Math.max(visits[i], last + 1000);
                pageView(d, v, dev, "landing", landings.get(i), remembered[dev]);
                int more = rng.nextInt(3);
                for (int k = 0; k < more; k++) {
                    v += 5000 + rng.nextLong(55_000);
                    pageView(d, v, dev, "product", SHOP + "/" + PATHS[rng.nextInt(PATHS.length)], remembered[dev]);
                }
                last = v;
            }
            todayLastTs = Math.max(todayLastTs, last);
            todayLastDev = dev;
        }

        /**
         * A loyal customer's weekly order through their loyalty or referral link: click, visit, cart, checkout,
         * order, with ordinary cancellation and return rates. The order is certain, so it counts in the baseline.
         */
        void loyalOrder(int d, long dayStart, int partner) {
            long latest = m.midnight[country][d + 1] - 70 * MINUTE;
            long t = Math.min(latest, Math.max(todayLastTs + 31 * MINUTE, dayStart + 9 * HOUR + rng.nextLong(10 * HOUR)));
            int dev = rng.nextInt(anon.length);
            Rec r = partnerClick(t, partner, SHOP + "/", null);
            emitPartnerClick(d, r, dev, true, t, partner, false);
            t += 300 + rng.nextInt(3000);
            pageView(d, t, dev, "landing", SHOP + "/", true);
            t += 10_000 + rng.nextLong(120_000);
            pageView(d, t, dev, "product", SHOP + "/" + PATHS[rng.nextInt(PATHS.length)], true);
            t += 10_000 + rng.nextLong(120_000);
            pageView(d, t, dev, "cart", SHOP + "/cart", true);
            t += 10_000 + rng.nextLong(120_000);
            pageView(d, t, dev, "checkout", SHOP + "/checkout", true);
            t += 5_000 + rng.nextLong(60_000);
            contributions[d][region][TrueModel.N_SOURCES] += 1.0;
            placeOrder(d, t, dev, null, false, false);
            todayLastTs = Math.max(todayLastTs, t);
            todayLastDev = dev;
        }

        /** Touches of the day from every channel and partner type, as Poisson counts driven by activity. */
        void organicTouches(int d, long dayStart) {
            double[] act = m.activity[d][region];
            boolean recentBuyer = d - lastOrderDay <= 14;
            double[] weights = new double[2 * TrueModel.N_SOURCES];
            double total = 0;
            for (int k = 0; k < TrueModel.N_SOURCES; k++) {
                double mult = propensity * act[k];
                String type = TrueModel.isAffiliate(k) ? TrueModel.sourceName(k) : "";
                if (type.equals("loyalty") || type.equals("referral")) {
                    mult *= pastOrders > 0 ? 5 : 0.3; // retention partners reach existing customers
                } else if (k >= TrueModel.N_CHANNELS && k <= TrueModel.N_CHANNELS + 3) {
                    mult *= recentBuyer ? 0.5 : 1.2; // upper funnel reaches people early in their journey
                }
                weights[2 * k] = mult * TrueModel.CLICK_RATE[k];
                weights[2 * k + 1] = mult * TrueModel.IMPRESSION_RATE[k];
                total += weights[2 * k] + weights[2 * k + 1];
            }
            int n = poisson(total);
            if (n == 0) {
                return;
            }
            long[] times = new long[n];
            for (int i = 0; i < n; i++) {
                times[i] = 7 * HOUR + rng.nextLong(15 * HOUR + 30 * MINUTE);
            }
            Arrays.sort(times);
            for (int i = 0; i < n; i++) {
                int pick = PartnerCatalog.pickWeighted(rng, weights);
                int source = pick / 2;
                boolean click = pick % 2 == 0;
                int partner = -1;
                if (TrueModel.isAffiliate(source)) {
                    int[] candidates = m.partnersByType[d][region][source - TrueModel.N_CHANNELS];
                    if (candidates.length == 0) {
                        continue;
                    }
                    partner = candidates[rng.nextInt(candidates.length)];
                }
                long ts = Math.max(dayStart + times[i], todayLastTs + 1000);
                int dev = rng.nextInt(anon.length);
                if (click) {
                    clickSession(d, ts, dev, source, partner);
                } else {
                    impression(d, ts, dev, source, partner);
                }
                expose(d, source, click);
            }
        }

        /** A touch that adds to the person's stock (the exposure a lift test withholds from its control arm). */
        void expose(int d, int source, boolean click) {
            double weight = click ? 1.0 : TrueModel.IMPRESSION_FACTOR;
            stock[source] += weight;
            if (d >= o.liftTestStart()) {
                testStock[source] += weight;
                (click ? liftClicks : liftImpressions)[d][source]++;
            }
        }

        void impression(int d, long ts, int dev, int source, int partner) {
            Rec r = event(ts, "impression").put("channel", TrueModel.channelOf(source));
            if (partner >= 0) {
                r.put("partner_id", cat.get(partner).id());
            }
            r.put("campaign_id", partner < 0 ? "cmp-" + (source * 10 + rng.nextInt(5)) : null)
                    .put("creative_id", rng.nextDouble() < 0.6 ? "cr-" + rng.nextInt(40) : null);
            emitTouch(d, r, dev, false, ts, false);
            todayLastTs = Math.max(todayLastTs, ts);
        }

        /** A click followed by a browsing session; returns the time of the session's last event. */
        long clickSession(int d, long ts, int dev, int source, int partner) {
            boolean loggedIn = remembered[dev] && rng.nextDouble() < 0.7;
            String ck = partner >= 0 ? clickId() : null;
            String landingPath = PATHS[rng.nextInt(PATHS.length)];
            Rec r = event(ts, "click").put("channel", TrueModel.channelOf(source));
            String landing;
            if (partner >= 0) {
                PartnerCatalog.Partner p = cat.get(partner);
                r.put("partner_id", p.id());
                boolean network = !p.standDown() && (p.parentId() != null || rng.nextDouble() < 0.6);
                landing = SHOP + "/" + landingPath + "?" + (network ? "afsrc=1&" : "") + "clickid=" + ck;
                r.put("click_id", ck);
                if (rng.nextDouble() < 0.3) {
                    r.put("sub_id", "s-" + rng.nextInt(1000));
                }
                if (rng.nextDouble() < 0.2) {
                    r.put("campaign_id", "pc-" + rng.nextInt(30));
                }
                if (!p.ownedCodes().isEmpty() && rng.nextDouble() < 0.4) {
                    r.put("coupon_code", p.ownedCodes().get(rng.nextInt(p.ownedCodes().size())));
                }
                r.put("landing_url", landing).put("referrer_url", partnerSite(p));
                noteAffiliateClick(partner, r.get("event_id"), landing, ts, dev, false);
            } else {
                landing = channelLanding(source, landingPath);
                r.put("campaign_id", source < 4 ? "cmp-" + (source * 10 + rng.nextInt(5)) : null)
                        .put("landing_url", landing).put("referrer_url", channelReferrer(source));
            }
            emitTouch(d, r, dev, loggedIn, ts, true);
            if (rng.nextDouble() < bp.bounceRate()) {
                // the visitor left before the page loaded: an honest click without a page view
                todayLastTs = Math.max(todayLastTs, ts);
                todayLastDev = dev;
                return ts;
            }
            long t = ts + 300 + rng.nextInt(3000);
            pageView(d, t, dev, source == 7 ? "home" : "landing", landing, loggedIn);
            int pages = rng.nextInt(5);
            for (int i = 0; i < pages; i++) {
                t += 5000 + rng.nextLong(145_000);
                if (!loggedIn && rng.nextDouble() < 0.1) {
                    loggedIn = true;
                    remembered[dev] = true;
                }
                String type = switch (rng.nextInt(6)) {
                    case 0 -> "category";
                    case 1 -> "search";
                    case 2 -> "content";
                    default -> "product";
                };
                pageView(d, t, dev, type, SHOP + "/" + PATHS[rng.nextInt(PATHS.length)], loggedIn);
            }
            if (rng.nextDouble() < 0.12) {
                t += 5000 + rng.nextLong(100_000);
                pageView(d, t, dev, "cart", SHOP + "/cart", loggedIn);
                if (rng.nextDouble() < 0.15) {
                    t += 5000 + rng.nextLong(100_000);
                    pageView(d, t, dev, "checkout", SHOP + "/checkout", loggedIn);
                }
            }
            todayLastTs = Math.max(todayLastTs, t);
            todayLastDev = dev;
            return t;
        }

        void pageView(int d, long ts, int dev, String type, String url, boolean loggedIn) {
            Rec r = event(ts, "page_view").put("page_type", type).put("landing_url", url);
            emitTouch(d, r, dev, loggedIn, ts, false);
        }

        /** An affiliate click with optional fields; not followed by page views (callers add them). */
        Rec partnerClick(long ts, int partner, String landing, String referrer) {
            PartnerCatalog.Partner p = cat.get(partner);
            String ck = clickId();
            return event(ts, "click").put("channel", "affiliate").put("partner_id", p.id()).put("click_id", ck)
                    .put("landing_url", landing + (landing.contains("?") ? "&" : "?") + "clickid=" + ck)
                    .put("referrer_url", referrer == null ? partnerSite(p) : referrer.isEmpty() ? null : referrer);
        }

        void emitPartnerClick(int d, Rec r, int dev, boolean loggedIn, long ts, int partner, boolean flood) {
            emitTouch(d, r, dev, loggedIn, ts, true);
            noteAffiliateClick(partner, r.get("event_id"), r.get("landing_url"), ts, dev, flood);
        }

        void orderSession(int d, long dayStart, int pattern) {
            int dev = todayLastDev;
            boolean extend = todayLastTs > 0 && rng.nextDouble() < 0.6;
            long latest = m.midnight[country][d + 1] - 70 * MINUTE;
            long t = extend ? todayLastTs + 30_000 + rng.nextLong(25 * MINUTE)
                    : Math.max(todayLastTs + 31 * MINUTE, dayStart + 8 * HOUR + rng.nextLong(13 * HOUR));
            t = Math.min(t, latest);
            boolean loggedIn = remembered[dev] && rng.nextDouble() < 0.7;
            int lookAlike = pattern == NONE ? drawLookAlike() : NONE;
            if (lookAlike == NEW_VISIT_STAND_DOWN) {
                // another partner's visit ended more than 30 minutes ago; software clicks on this new visit (honest)
                long gap = 31 * MINUTE + rng.nextLong(bp.name().equals("holdout") ? 270 * MINUTE : 90 * MINUTE);
                long open = t - gap;
                if (open > todayLastTs + MINUTE && open > dayStart) {
                    int first = pickPartner(d, new String[] {"creator", "content", "review", "coupon", "deal"}, -1);
                    Rec a = partnerClick(open, first, SHOP + "/" + PATHS[rng.nextInt(PATHS.length)] + "?afsrc=1", null);
                    emitPartnerClick(d, a, dev, loggedIn, open, first, false);
                    pageView(d, open + 300 + rng.nextInt(3000), dev, "landing", SHOP + "/", loggedIn);
                } else {
                    lookAlike = NONE;
                }
            }
            pageView(d, t, dev, extend ? "product" : "home", SHOP + "/", loggedIn);
            String interceptCode = null;
            String leakedCode = null;
            java.util.List<Object[]> pending = new java.util.ArrayList<>(); // labels waiting for the order id
            if (pattern == STAND_DOWN || lookAlike == NO_AFSRC_STAND_DOWN) {
                // STAND_DOWN: the extension ignores the afsrc=1 it was shown; the look-alike shows it no afsrc=1
                t += 20_000 + rng.nextLong(180_000);
                int first = pickPartner(d, new String[] {"creator", "content", "review", "coupon", "deal"}, -1);
                String afsrc = pattern == STAND_DOWN ? "?afsrc=1" : "";
                Rec a = partnerClick(t, first, SHOP + "/" + PATHS[rng.nextInt(PATHS.length)] + afsrc, null);
                emitPartnerClick(d, a, dev, loggedIn, t, first, false);
                t += 300 + rng.nextInt(3000);
                pageView(d, t, dev, "landing", SHOP + "/", loggedIn);
                t += 2000 + rng.nextLong(rng.nextBoolean() ? 20_000 : bp.standDownDelayMax());
                int sd = pickStandDown(d);
                Rec v = partnerClick(t, sd, SHOP + "/" + PATHS[rng.nextInt(PATHS.length)], null);
                emitPartnerClick(d, v, dev, loggedIn, t, sd, false);   // labelled with every stand-down violation
                if (pattern != STAND_DOWN || rng.nextBoolean()) {
                    t += 300 + rng.nextInt(3000);
                    pageView(d, t, dev, "landing", SHOP + "/", loggedIn);
                }
            } else if (lookAlike == NEW_VISIT_STAND_DOWN) {
                t += 5_000 + rng.nextLong(60_000);
                int sd = pickStandDown(d);
                Rec v = partnerClick(t, sd, SHOP + "/" + PATHS[rng.nextInt(PATHS.length)], null);
                emitPartnerClick(d, v, dev, loggedIn, t, sd, false);
                t += 300 + rng.nextInt(3000);
                pageView(d, t, dev, "landing", SHOP + "/", loggedIn);
            }
            boolean flooded = pattern == FLOOD;
            if (!flooded && pattern != LEAKAGE && (pattern == TIMING || rng.nextDouble() < TrueModel.INTERCEPT_PROBABILITY)) {
                int type = TrueModel.INTERCEPT_TYPES[PartnerCatalog.pickWeighted(rng, TrueModel.INTERCEPT_WEIGHTS)];
                int[] candidates = m.partnersByType[d][region][type - TrueModel.N_CHANNELS];
                int partner = pattern == TIMING ? cat.timingOutlierPartner
                        : candidates.length == 0 ? -1 : candidates[rng.nextInt(candidates.length)];
                if (partner >= 0) {
                    PartnerCatalog.Partner p = cat.get(partner);
                    long ct;
                    if (partner == cat.timingOutlierPartner) {
                        // the timing outlier's clicks come hours before the order, far from its peers' minutes
                        ct = Math.max(dayStart + 5 * MINUTE, t - 2 * HOUR - rng.nextLong(7 * HOUR));
                    } else {
                        t += 30_000 + rng.nextLong(rng.nextBoolean() ? 120_000 : 900_000);
                        ct = t;
                    }
                    Rec r = partnerClick(ct, partner, SHOP + "/" + PATHS[rng.nextInt(PATHS.length)], null);
                    if (partner == cat.couponSite && rng.nextDouble() < bp.consentedShare()) {
                        // the coupon site publishes the creator's code with the creator's consent (allow-listed)
                        var codes = cat.get(cat.creatorWithCode).ownedCodes();
                        interceptCode = codes.get(rng.nextInt(codes.size()));
                    } else if (!p.ownedCodes().isEmpty() && rng.nextDouble() < 0.7) {
                        interceptCode = p.ownedCodes().get(rng.nextInt(p.ownedCodes().size()));
                    } else if (rng.nextDouble() < 0.5) {
                        interceptCode = GENERIC_CODES[rng.nextInt(GENERIC_CODES.length)];
                    }
                    r.put("coupon_code", interceptCode);
                    emitPartnerClick(d, r, dev, loggedIn, ct, partner, false);
                    pageView(d, ct + 300 + rng.nextInt(3000), dev, "landing", SHOP + "/", loggedIn);
                    if (ct == t) {
                        t += 4000;
                    }
                    // genuine touch: small true effect from tomorrow on (the purchase was already decided)
                    expose(d, TrueModel.N_CHANNELS + p.type(), true);
                }
            }
            if (pattern == LEAKAGE) {
                // a coupon site publishes another partner's code without consent and takes the last click
                int publisher = cat.couponSite;
                if (bp.name().equals("holdout") && rng.nextBoolean()) {
                    publisher = pickPartner(d, new String[] {"coupon", "deal", "cashback"}, -1);
                }
                int owner = pickCodeOwner(publisher);
                PartnerCatalog.Partner a = cat.get(owner);
                leakedCode = a.ownedCodes().get(rng.nextInt(a.ownedCodes().size()));
                t += 30_000 + rng.nextLong(600_000);
                Rec b = partnerClick(t, publisher, SHOP + "/", null);
                if (rng.nextDouble() < bp.leakShowsCode()) {
                    b.put("coupon_code", leakedCode);
                }
                emitPartnerClick(d, b, dev, loggedIn, t, publisher, false);
                t += 300 + rng.nextInt(3000);
                pageView(d, t, dev, "landing", SHOP + "/", loggedIn);
            }
            t += 10_000 + rng.nextLong(110_000);
            pageView(d, t, dev, "product", SHOP + "/" + PATHS[rng.nextInt(PATHS.length)], loggedIn);
            t += 10_000 + rng.nextLong(190_000);
            loggedIn = true;
            remembered[dev] = true;
            pageView(d, t, dev, "cart", SHOP + "/cart", true);
            if (pattern == HIJACK) {
                t += 1_000 + rng.nextLong(bp.hijackDelayMax());
                int hp = rng.nextDouble() < 0.4 ? pickExtension(d)
                        : pickPartner(d, new String[] {"coupon", "cashback", "deal"}, -1);
                double u = rng.nextDouble();
                String referrer = u < bp.hijackCartReferrer() ? SHOP + "/cart"
                        : u < bp.hijackCartReferrer() + bp.hijackNoReferrer() ? NO_REFERRER
                        : "https://r." + cat.get(hp).id().toLowerCase(Locale.ROOT) + ".example.net/redirect";
                Rec r = partnerClick(t, hp, SHOP + "/cart", referrer);
                emitPartnerClick(d, r, dev, true, t, hp, false);
                pending.add(new Object[] {HIJACK, r.get("event_id"), hp});
                if (rng.nextDouble() < bp.hijackReload()) {
                    t += 300 + rng.nextInt(1700);
                    pageView(d, t, dev, "cart", SHOP + "/cart", true);   // the redirect reloads the cart
                }
            } else if (lookAlike == DETOUR) {
                // the buyer leaves the cart to look for a code, clicks a coupon or deal site's link and comes back
                t += bp.detourAwayMin() + rng.nextLong(bp.detourAwayMax() - bp.detourAwayMin() + 1);
                int cp = pickPartner(d, new String[] {"coupon", "deal", "cashback"}, -1);
                PartnerCatalog.Partner p = cat.get(cp);
                boolean toCart = rng.nextDouble() < bp.detourToCart();
                String site = partnerSite(p) + (rng.nextBoolean() ? "?q=shop" : "");
                Rec r = partnerClick(t, cp, toCart ? SHOP + "/cart" : SHOP + "/", site);
                String detourCode = null;   // the site's own or a generic code, never one shown earlier by another
                if (!p.ownedCodes().isEmpty() && rng.nextDouble() < 0.7) {
                    detourCode = p.ownedCodes().get(rng.nextInt(p.ownedCodes().size()));
                } else if (rng.nextDouble() < 0.5) {
                    detourCode = GENERIC_CODES[rng.nextInt(GENERIC_CODES.length)];
                }
                r.put("coupon_code", detourCode);
                interceptCode = detourCode != null ? detourCode : interceptCode;   // the buyer may still use that one
                emitPartnerClick(d, r, dev, true, t, cp, false);
                t += 300 + rng.nextInt(3000);
                pageView(d, t, dev, toCart ? "cart" : "landing", r.get("landing_url"), true);
                if (!toCart) {
                    t += 5_000 + rng.nextLong(60_000);
                    pageView(d, t, dev, rng.nextBoolean() ? "search" : "product", SHOP + "/" + PATHS[rng.nextInt(PATHS.length)],
                            true);
                    t += 5_000 + rng.nextLong(60_000);
                    pageView(d, t, dev, "cart", SHOP + "/cart", true);
                }
            }
            t += 10_000 + rng.nextLong(290_000);
            pageView(d, t, dev, "checkout", SHOP + "/checkout", true);
            long orderTs;
            if (pattern == SNIPE) {
                t += 3_000 + rng.nextLong(120_000);
                int sp = pickPartner(d, new String[] {"coupon", "cashback", "deal", "browser_extension", "sub_network"}, -1);
                Rec r = partnerClick(t, sp, SHOP + "/checkout", null);
                emitPartnerClick(d, r, dev, true, t, sp, false);
                pending.add(new Object[] {SNIPE, r.get("event_id"), sp});
                pending.add(new Object[] {HIJACK, r.get("event_id"), sp});   // a snipe after the cart is in-cart too
                orderTs = t + 1000 + rng.nextLong(7000);
            } else {
                orderTs = t + 5_000 + rng.nextLong(rng.nextBoolean() ? 60_000 : 300_000);
            }
            String orderId = placeOrder(d, orderTs, dev, leakedCode != null ? leakedCode : interceptCode, leakedCode != null,
                    false);
            for (Object[] l : pending) {
                label((Integer) l[0], orderId, (String) l[1], (Integer) l[2]);
            }
            todayLastTs = Math.max(todayLastTs, orderTs);
        }

        void selfReferralOrder(int d, long ts) {
            int partner = cat.selfReferralPartner;
            Rec r = partnerClick(ts, partner, SHOP + "/" + PATHS[0], null);
            r.put("ip", ip[0]);
            emitPartnerClick(d, r, 0, true, ts, partner, false);
            long t = ts + 500 + rng.nextInt(3000);
            pageView(d, t, 0, "landing", SHOP + "/", true);
            t += 10_000 + rng.nextLong(60_000);
            pageView(d, t, 0, "cart", SHOP + "/cart", true);
            t += 10_000 + rng.nextLong(60_000);
            pageView(d, t, 0, "checkout", SHOP + "/checkout", true);
            String orderId = placeOrder(d, t + 5_000 + rng.nextLong(120_000), 0, null, false, true);
            label(SELF_REFERRAL, orderId, r.get("event_id"), partner);
        }

        void floodClick(int d, long ts) {
            int partner = cat.floodPartner;
            int dev = rng.nextInt(anon.length);
            Rec r = partnerClick(ts, partner, SHOP + "/?afsrc=1", "https://ads" + rng.nextInt(50) + ".example.net/");
            emitPartnerClick(d, r, dev, false, ts, partner, true);
        }

        void cookieStuffing(int d, long ts) {
            int n = 3 + rng.nextInt(bp.stuffPartnersMax() - 2);
            String stuffIp = "198.51.100." + (10 + (mix(o.seed(), 0, 99) & 3) + rng.nextInt(3));
            int used = -1;
            for (int i = 0; i < n; i++) {
                int partner = pickPartner(d, PartnerCatalog.TYPES, used);
                used = partner;
                Rec r = partnerClick(ts, partner, SHOP + "/", "https://stuff" + rng.nextInt(20) + ".example.biz/")
                        .put("ip", stuffIp);
                emitPartnerClick(d, r, 0, false, ts, partner, false);
                label(STUFFING, "", r.get("event_id"), partner);
                ts += 100 + rng.nextLong(bp.stuffSpacingMax() - 100);
            }
        }

        void kioskSession(int d, long ts) {
            for (String type : new String[] {"home", "product", "cart"}) {
                Rec r = event(ts, "page_view").put("page_type", type).put("landing_url", SHOP + "/")
                        .put("anonymous_id", KIOSK_ID).put("user_id", userId)
                        .put("device_type", "other").put("country", countryCode);
                out.deliver(Delivery.TOUCHPOINTS, dayOf(ts), r);
                ts += 5000 + rng.nextLong(60_000);
            }
        }

        String placeOrder(int d, long ts, int dev, String shownCode, boolean forceCode, boolean selfReferral) {
            String orderId = "o-" + pid + "-" + (++orderCount);
            int items = 1 + (rng.nextDouble() < 0.4 ? 1 + rng.nextInt(3) : 0);
            double usd = 0;
            for (int i = 0; i < items; i++) {
                usd += 15 + rng.nextDouble() * 135;
            }
            double local = usd / Geo.usdPerUnit(currency);
            String code = shownCode;
            if (!forceCode) {
                // codes travel honestly: remembered from a partner clicked weeks ago, or passed on by a friend
                if (shownCode != null && rng.nextDouble() < 0.7) {
                    code = shownCode;
                } else if (codeOwner >= 0 && ts - codeOwnerTs < 30L * 24 * HOUR && rng.nextDouble() < bp.rememberedCodeRate()) {
                    var owned = cat.get(codeOwner).ownedCodes();
                    code = owned.get(rng.nextInt(owned.size()));
                } else if (rng.nextDouble() < bp.codeShareRate()) {
                    var owned = cat.get(pickCodeOwner(-1)).ownedCodes();
                    code = owned.get(rng.nextInt(owned.size()));
                } else {
                    code = rng.nextDouble() < 0.1 ? GENERIC_CODES[rng.nextInt(GENERIC_CODES.length)] : null;
                }
            }
            if (code != null) {
                local *= 0.85;
            }
            int codeOwnerOfOrder = cat.ownerOf(code);
            boolean leaked = forceCode && codeOwnerOfOrder >= 0;   // only the leakage pattern's orders are labelled
            boolean asString = rng.nextBoolean();
            boolean withUser = rng.nextDouble() < 0.92;
            boolean withNewFlag = rng.nextDouble() < 0.85;
            boolean isNew = pastOrders == 0;
            String placed = Geo.rfc3339(country, ts);
            Rec r = orderRec(orderId, placed, placed, "placed", money(local), asString, dev, withUser, code, items,
                    withNewFlag ? isNew : null);
            out.deliver(Delivery.ORDERS, d, r);
            ordersPlaced++;
            double u = rng.nextDouble();
            double cancel = selfReferral ? 0.45 * bp.selfReferralBad() : 0.05;
            double ret = selfReferral ? 0.55 * bp.selfReferralBad() : 0.08;
            long updTs = -1;
            String status = null;
            double revenue = 0;
            if (u < cancel) {
                updTs = ts + 10 * MINUTE + rng.nextLong(3 * 24 * HOUR);
                status = "cancelled";
            } else if (u < cancel + ret) {
                updTs = ts + 24 * HOUR + rng.nextLong(59 * 24 * HOUR);
                status = "returned";
                revenue = items > 1 && rng.nextBoolean() ? local * (0.2 + 0.6 * rng.nextDouble()) : 0;
            }
            if (status != null) {
                int updDay = dayOf(updTs);
                if (updDay <= days - 1) {
                    Rec v = orderRec(orderId, placed, Geo.rfc3339(country, updTs), status, money(revenue), asString, dev,
                            withUser, code, items, withNewFlag ? isNew : null);
                    out.deliver(Delivery.ORDERS, updDay, v);
                }
            }
            siteEvents.add(new SiteEvent(ts, siteEvents.size(), -1, dev, false, null, orderId));
            placedOrders.add(new PlacedOrder(orderId, ts, dev, leaked ? codeOwnerOfOrder : -1));
            pastOrders++;
            lastOrderDay = d;
            return orderId;
        }

        Rec orderRec(String orderId, String placed, String updated, String status, String revenue, boolean asString,
                     int dev, boolean withUser, String code, int items, Boolean isNew) {
            Rec r = new Rec().put("order_id", orderId).put("order_ts", placed).put("updated_ts", updated)
                    .put("status", status);
            loggedInOnce[dev] |= withUser;
            if (asString) {
                r.put("revenue", revenue);
            } else {
                r.putRaw("revenue", revenue);
            }
            r.put("currency", currency).put("anonymous_id", anon[dev]).put("user_id", withUser ? userId : null)
                    .put("coupon_code", code).putRaw("items", Integer.toString(items))
                    .putRaw("is_new_customer", isNew == null ? null : isNew.toString())
                    .put("country", countryCode);
            return r;
        }

        String money(double v) {
            return currency.equals("JPY") ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
        }

        void label(int rule, String orderId, String eventId, int partner) {
            out.truth(Delivery.TRUTH_FRAUD, RULES[rule] + "," + orderId + "," + eventId + "," + cat.get(partner).id());
        }

        void noteAffiliateClick(int partner, String eventId, String landingUrl, long ts, int dev, boolean flood) {
            boolean afsrc = landingUrl != null && AFSRC.matcher(landingUrl).matches();
            siteEvents.add(new SiteEvent(ts, siteEvents.size(), partner, dev, afsrc, eventId, null));
            affiliateClicks.add(new AffiliateClick(ts, eventId, partner, dev, flood));
            if (!cat.get(partner).ownedCodes().isEmpty()) {
                codeOwner = partner;
                codeOwnerTs = ts;
            }
        }

        int pickPartner(int d, String[] types, int exclude) {
            for (int attempt = 0; attempt < 20; attempt++) {
                int t = PartnerCatalog.typeIndex(types[rng.nextInt(types.length)]);
                int[] c = m.partnersByType[d][region][t];
                if (c.length > 0) {
                    int p = c[rng.nextInt(c.length)];
                    if (p != exclude && !cat.get(p).standDown()) {
                        return p;
                    }
                }
            }
            return cat.couponSite == exclude ? cat.creatorWithCode : cat.couponSite;
        }

        int pickStandDown(int d) {
            int[] ext = m.partnersByType[d][region][PartnerCatalog.typeIndex("browser_extension")];
            int[] loy = m.partnersByType[d][region][PartnerCatalog.typeIndex("loyalty")];
            int total = ext.length + loy.length;
            if (total == 0) {
                return cat.extension;
            }
            int i = rng.nextInt(total);
            return i < ext.length ? ext[i] : loy[i - ext.length];
        }

        /** A partner owning codes, other than {@code publisher}, whose codes {@code publisher} has no consent to show. */
        int pickCodeOwner(int publisher) {
            for (int attempt = 0; attempt < 20; attempt++) {
                int p = rng.nextInt(cat.partners.size());
                boolean consented = publisher == cat.couponSite && p == cat.creatorWithCode;
                if (p != publisher && !consented && !cat.get(p).ownedCodes().isEmpty()) {
                    return p;
                }
            }
            return publisher == cat.couponSite || publisher == cat.creatorWithCode ? firstOtherOwner(publisher)
                    : cat.creatorWithCode;
        }

        int firstOtherOwner(int publisher) {
            for (PartnerCatalog.Partner p : cat.partners) {
                if (p.index() != publisher && p.index() != cat.creatorWithCode && !p.ownedCodes().isEmpty()) {
                    return p.index();
                }
            }
            return cat.creatorWithCode;
        }

        int pickExtension(int d) {
            int[] ext = m.partnersByType[d][region][PartnerCatalog.typeIndex("browser_extension")];
            return ext.length == 0 ? cat.extension : ext[rng.nextInt(ext.length)];
        }

        Rec event(long ts, String type) {
            return new Rec().put("event_id", "e-" + pid + "-" + (++events)).put("event_ts", Geo.rfc3339(country, ts))
                    .put("event_type", type);
        }

        void emitTouch(int d, Rec r, int dev, boolean loggedIn, long ts, boolean network) {
            if (!"impression".equals(r.get("event_type"))) {
                siteEvents.add(new SiteEvent(ts, siteEvents.size(), -1, dev, false, null, null));
            }
            r.put("anonymous_id", anon[dev]);
            if (loggedIn) {
                r.put("user_id", userId);
                loggedInOnce[dev] = true;
            }
            if (network) {
                if (!r.has("ip")) {
                    r.put("ip", ip[dev]);
                }
                r.put("user_agent", ua[dev]);
            }
            r.put("device_type", deviceType[dev]).put("country", countryCode);
            if (rng.nextDouble() < 0.002) {
                r.putRaw("tracker_version", Integer.toString(2 + rng.nextInt(3))); // unknown extra field
            }
            out.deliver(Delivery.TOUCHPOINTS, dayOf(ts), r);
        }

        int dayOf(long ts) {
            return (int) (Geo.localEpochDay(country, ts) - o.firstDate().toEpochDay());
        }

        String clickId() {
            return "ck-" + pid + "x" + Integer.toHexString(events + 1) + Integer.toHexString(rng.nextInt(1 << 16));
        }

        String partnerSite(PartnerCatalog.Partner p) {
            return "https://" + p.id().toLowerCase(Locale.ROOT) + ".example.org/" + (rng.nextBoolean() ? "deals" : "top-picks");
        }

        String channelLanding(int source, String path) {
            return switch (source) {
                case 0 -> SHOP + "/" + path + "?gclid=g" + Integer.toHexString(rng.nextInt());
                case 1 -> SHOP + "/" + path + "?fbclid=f" + Integer.toHexString(rng.nextInt());
                case 2 -> SHOP + "/" + path + "?utm_source=display";
                case 3 -> SHOP + "/" + path + "?utm_medium=email&utm_campaign=nl" + rng.nextInt(20);
                case 7 -> SHOP + "/";
                default -> SHOP + "/" + path;
            };
        }

        String channelReferrer(int source) {
            return switch (source) {
                case 0 -> "https://www.google.com/";
                case 1 -> rng.nextBoolean() ? "https://www.instagram.com/" : "https://www.tiktok.com/";
                case 2 -> "https://news" + rng.nextInt(30) + ".example.com/";
                case 4 -> rng.nextDouble() < 0.8 ? "https://www.google.com/" : "https://www.bing.com/";
                case 5 -> "https://www.reddit.com/";
                case 6 -> "https://blog" + rng.nextInt(40) + ".example.com/";
                default -> null;
            };
        }

        int poisson(double lambda) {
            double l = Math.exp(-lambda);
            int k = 0;
            double p = rng.nextDouble();
            while (p > l) {
                k++;
                p *= rng.nextDouble();
            }
            return k;
        }
    }
}
