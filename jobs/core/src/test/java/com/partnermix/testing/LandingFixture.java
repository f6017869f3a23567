package com.partnermix.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Writes small landing zones in the contract's layout, line by line, for tests. */
public final class LandingFixture {

    public static final String PARTNERS_HEADER = "partner_id,partner_name,partner_type,region,payment_model,cps_rate,"
            + "cpc_rate,cpm_rate,flat_fee_monthly,rate_currency,stand_down_required,parent_partner_id,"
            + "owned_coupon_codes,status,joined_date";

    private final Path root;

    public LandingFixture(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public LandingFixture file(String feed, LocalDate dt, String name, List<String> lines) {
        return write(feed, dt, name, String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
    }

    public LandingFixture write(String feed, LocalDate dt, String name, String content) {
        try {
            Path dir = root.resolve(feed).resolve("dt=" + dt);
            Files.createDirectories(dir);
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            if (name.endsWith(".gz")) {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name)))) {
                    out.write(bytes);
                }
            } else {
                Files.write(dir.resolve(name), bytes);
            }
            return this;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The feeds every night needs besides touchpoints and orders: a catalog of two partners and USD/EUR rates. */
    public LandingFixture basics(LocalDate dt) {
        file("partners", dt, "partners.csv", List.of(PARTNERS_HEADER,
                "P-CR-007,Maya Moves,creator,APAC,hybrid,0.10,,,500,USD,false,,MAYA20,active,2025-03-01",
                "P-BX-001,CartSaver Extension,browser_extension,GLOBAL,cps,0.03,,,,USD,true,,,active,2023-11-02"));
        file("fx_rates", dt, "fx_rates.csv", List.of("date,currency,usd_per_unit",
                dt + ",USD,1", dt + ",EUR,1.054"));
        file("spend", dt, "spend.csv", List.of("date,channel,region,currency,spend,impressions,clicks",
                dt + ",paid_search,NA,USD,1840.50,220000,6100"));
        return this;
    }

    public static String click(String eventId, String ts, String partnerId, String anonymousId) {
        return "{\"event_id\":\"" + eventId + "\",\"event_ts\":\"" + ts + "\",\"event_type\":\"click\","
                + "\"channel\":\"affiliate\",\"partner_id\":\"" + partnerId + "\",\"anonymous_id\":\"" + anonymousId
                + "\",\"ip\":\"203.0.113.7\",\"user_agent\":\"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1)\","
                + "\"device_type\":\"mobile\",\"country\":\"SG\"}";
    }

    public static String pageView(String eventId, String ts, String pageType, String anonymousId) {
        return "{\"event_id\":\"" + eventId + "\",\"event_ts\":\"" + ts + "\",\"event_type\":\"page_view\","
                + "\"page_type\":\"" + pageType + "\",\"anonymous_id\":\"" + anonymousId + "\"}";
    }

    public static String order(String orderId, String orderTs, String updatedTs, String status, String revenue,
                               String anonymousId) {
        return "{\"order_id\":\"" + orderId + "\",\"order_ts\":\"" + orderTs + "\",\"updated_ts\":\"" + updatedTs
                + "\",\"status\":\"" + status + "\",\"revenue\":" + revenue + ",\"currency\":\"EUR\","
                + "\"anonymous_id\":\"" + anonymousId + "\",\"country\":\"DE\"}";
    }
}
