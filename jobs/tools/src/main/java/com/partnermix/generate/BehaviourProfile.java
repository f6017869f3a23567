package com.partnermix.generate;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Rates and delays of the injected fraud patterns and of the honest behaviours that look like them, for one run.
 * Every run draws them from its seed, so rules are never judged on one fixed set of delays; {@code --holdout}
 * draws them from other ranges, with variants of the patterns (hijacks redirected through the extension's own
 * server, leaked codes the publisher's click does not show, honest tabs that are never opened), that the rules'
 * defaults were not tuned on. Times in milliseconds; rates per order unless said otherwise.
 *
 * @param standDownRate      orders preceded by a stand-down violation (an extension clicking after an afsrc=1 click)
 * @param hijackRate         orders whose cart is hijacked by a software or conversion partner's click
 * @param snipeRate          orders sniped by a click seconds before the order
 * @param leakageRate        orders using another partner's code published without consent by a coupon site
 * @param stuffedPersonRate  persons whose device gets a burst of stuffed cookies once
 * @param floodedPersonRate  persons who receive 1-4 flood clicks of the flooding partner
 * @param selfReferrerRate   persons buying again and again through their own referral link
 * @param hijackDelayMax     the hijacking click comes 1 s to this long after the cart view
 * @param hijackCartReferrer share of hijacking clicks whose referrer is the shop's cart or checkout page
 * @param hijackNoReferrer   share with no referrer; the rest carry the extension's redirect server as referrer
 * @param hijackReload       share of hijacks whose redirect reloads the cart (a cart page view right after)
 * @param standDownDelayMax  the violating click comes 2 s to this long after the other partner's click
 * @param stuffPartnersMax   partners in one stuffing burst: 3 to this many
 * @param stuffSpacingMax    time between two stuffed clicks of a burst: 0.1 s to this long
 * @param selfReferralDayRate a self-referrer's daily chance of another order
 * @param selfReferralBad    a self-referrer's order is cancelled or returned with this probability
 * @param leakShowsCode      share of leaking clicks that show the leaked code on the click (coupon_code)
 * @param bounceRate         honest clicks (any channel) with no page view at all: the visitor left at once
 * @param couponDetourRate   orders whose buyer leaves the cart for a coupon or deal site and comes back through it
 * @param detourAwayMin      time spent on that site: from this ...
 * @param detourAwayMax      ... to this
 * @param detourToCart       share of those partner links that land on the cart page itself
 * @param tabBurstDayRate    a person's daily chance of opening several partner links in tabs within seconds
 * @param tabsMax            tabs in a burst: 2 to this many
 * @param tabSpacingMax      time between two tab clicks: 0.2 s to this long
 * @param tabVisitDelayMax   each tab is visited 5 s to this long after the burst
 * @param tabNeverOpened     share of tabs closed without a visit
 * @param natDeviceShare     devices behind a shared NAT address (office, school, mobile carrier)
 * @param natDevicesPerIp    devices per NAT address
 * @param rememberedCodeRate orders reusing a code remembered from a partner clicked in the last 30 days
 * @param codeShareRate      orders using a partner's code shared by a friend (no click of that partner)
 * @param consentedShare     share of the coupon site's clicks that publish the creator's code with consent
 * @param loyalShare         returning customers who buy through the same loyalty or referral link every week
 * @param loyalIntervalMin   days between two loyal orders: from this ...
 * @param loyalIntervalMax   ... to this
 * @param newVisitStandDownRate orders where an extension clicks on a new visit after another partner's session ended
 * @param noAfsrcStandDownRate  orders where an extension clicks after a partner click whose landing lacked afsrc=1
 */
record BehaviourProfile(String name, double standDownRate, double hijackRate, double snipeRate, double leakageRate,
                        double stuffedPersonRate, double floodedPersonRate, double selfReferrerRate,
                        long hijackDelayMax, double hijackCartReferrer, double hijackNoReferrer, double hijackReload,
                        long standDownDelayMax, int stuffPartnersMax, long stuffSpacingMax,
                        double selfReferralDayRate, double selfReferralBad, double leakShowsCode,
                        double bounceRate, double couponDetourRate, long detourAwayMin, long detourAwayMax,
                        double detourToCart, double tabBurstDayRate, int tabsMax, long tabSpacingMax,
                        long tabVisitDelayMax, double tabNeverOpened, double natDeviceShare, int natDevicesPerIp,
                        double rememberedCodeRate, double codeShareRate, double consentedShare, double loyalShare,
                        int loyalIntervalMin, int loyalIntervalMax, double newVisitStandDownRate,
                        double noAfsrcStandDownRate) implements Serializable {

    private static final long SECOND = 1000L;
    private static final long MINUTE = 60 * SECOND;

    /** The profile of a run: drawn from the seed, from the holdout ranges under {@code --holdout}. */
    static BehaviourProfile draw(long seed, boolean holdout) {
        SplittableRandom r = new SplittableRandom(seed * 0x2545F4914F6CDD1DL + (holdout ? 0x7F4A7C15L : 0x1B873593L));
        if (holdout) {
            return new BehaviourProfile("holdout",
                    u(r, 0.004, 0.014), u(r, 0.004, 0.014), u(r, 0.004, 0.014), u(r, 0.004, 0.014),
                    u(r, 0.004, 0.012), u(r, 0.03, 0.08), u(r, 1.0 / 5000, 1.0 / 2000),
                    ms(r, 15 * SECOND, 15 * MINUTE), u(r, 0.3, 0.5), u(r, 0.25, 0.4), u(r, 0.6, 0.9),
                    ms(r, 5 * MINUTE, 25 * MINUTE), 3 + r.nextInt(5), ms(r, 2 * SECOND, 4 * SECOND),
                    u(r, 0.15, 0.3), u(r, 0.3, 0.5), u(r, 0.6, 0.8),
                    u(r, 0.10, 0.20), u(r, 0.08, 0.12), ms(r, 5 * SECOND, 15 * SECOND), ms(r, 10 * MINUTE, 20 * MINUTE),
                    u(r, 0.3, 0.5), u(r, 0.006, 0.010), 4 + r.nextInt(3), ms(r, 2 * SECOND, 5 * SECOND),
                    ms(r, 5 * MINUTE, 20 * MINUTE), u(r, 0.05, 0.15), u(r, 0.10, 0.15), 300 + r.nextInt(500),
                    u(r, 0.6, 0.8), u(r, 0.04, 0.06), u(r, 0.5, 0.8), u(r, 0.015, 0.025),
                    5, 6 + r.nextInt(5), u(r, 0.03, 0.05), u(r, 0.03, 0.05));
        }
        return new BehaviourProfile("default",
                u(r, 0.006, 0.010), u(r, 0.006, 0.010), u(r, 0.006, 0.010), u(r, 0.006, 0.010),
                u(r, 0.006, 0.010), u(r, 0.04, 0.06), u(r, 1.0 / 4000, 1.0 / 2500),
                ms(r, 30 * SECOND, 5 * MINUTE), u(r, 0.7, 0.9), u(r, 0.1, 0.3), u(r, 0.2, 0.5),
                ms(r, 2 * MINUTE, 10 * MINUTE), 4 + r.nextInt(2), ms(r, 1500, 2600),
                u(r, 0.3, 0.4), u(r, 0.55, 0.7), 1.0,
                u(r, 0.03, 0.08), u(r, 0.03, 0.06), ms(r, 15 * SECOND, 30 * SECOND), ms(r, 3 * MINUTE, 10 * MINUTE),
                u(r, 0.1, 0.3), u(r, 0.002, 0.005), 3 + r.nextInt(2), ms(r, 1 * SECOND, 3 * SECOND),
                ms(r, 1 * MINUTE, 5 * MINUTE), 0.0, u(r, 0.03, 0.06), 150 + r.nextInt(150),
                u(r, 0.4, 0.6), u(r, 0.01, 0.03), u(r, 0.3, 0.5), u(r, 0.005, 0.01),
                6, 8, u(r, 0.01, 0.03), u(r, 0.01, 0.03));
    }

    private static double u(SplittableRandom r, double min, double max) {
        return min + r.nextDouble() * (max - min);
    }

    private static long ms(SplittableRandom r, long min, long max) {
        return min + r.nextLong(max - min + 1);
    }

    /** For the ground truth (effects.json): what the run's traffic was made of. */
    Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        for (java.lang.reflect.RecordComponent c : getClass().getRecordComponents()) {
            try {
                doc.put(c.getName(), c.getAccessor().invoke(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return doc;
    }
}
