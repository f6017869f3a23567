package com.partnermix.journeys;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;

import java.util.Map;
import java.util.TreeMap;

import static com.partnermix.common.Lookups.lookup;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.lit;

/**
 * The business rules of conf/ (journeys section) as column expressions: lookback per touch,
 * funnel stage per touch, reporting region per country.
 */
public final class TouchRules {

    private final PartnermixConfig.Journeys settings;

    public TouchRules(PartnermixConfig.Journeys settings) {
        this.settings = settings;
    }

    /** Seconds a touch stays eligible for an order: partner type, else channel, else the default. */
    public Column lookbackSeconds(Column channel, Column partnerType) {
        PartnermixConfig.Lookback lookback = settings.lookbackDays();
        return coalesce(lookup(lookback.byPartnerType(), partnerType), lookup(lookback.byChannel(), channel),
                lit(lookback.defaultDays())).cast("long").multiply(86_400L);
    }

    /** Funnel stage: the partner's own override, else its type's stage, else the channel's stage. */
    public Column funnelStage(Column partnerId, Column partnerType, Column channel) {
        PartnermixConfig.FunnelStages stages = settings.funnelStages();
        return coalesce(lookup(stages.byPartner(), partnerId), lookup(stages.byPartnerType(), partnerType),
                lookup(stages.byChannel(), channel), lit("unknown"));
    }

    /** Reporting region of a country; UNKNOWN when the country is missing or not mapped. */
    public Column region(Column country) {
        Map<String, String> byCountry = new TreeMap<>();
        settings.countryRegions().forEach((region, countries) -> countries.forEach(c -> byCountry.put(c, region)));
        return coalesce(lookup(byCountry, country), lit("UNKNOWN"));
    }

    public long defaultLookbackSeconds() {
        return settings.lookbackDays().defaultDays() * 86_400L;
    }

    public int sessionGapSeconds() {
        return settings.sessionGapMinutes() * 60;
    }

}
