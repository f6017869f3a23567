package com.partnermix.ingest;

import com.partnermix.common.RunStoppedException;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvRecordsTest {

    static final String PARTNER_HEADER = String.join(",", Contract.PARTNER_COLUMNS);

    private static CsvRecords.Header partnerHeader() {
        return CsvRecords.Header.of(PARTNER_HEADER, Contract.PARTNER_COLUMNS, "partners.csv");
    }

    @Test
    void quotedFieldsKeepCommasAndQuotes() {
        assertEquals(List.of("a", "b,c", "say \"hi\"", ""), CsvRecords.split("a,\"b,c\",\"say \"\"hi\"\"\","));
    }

    @Test
    void partnerRowIsTypedWithOwnedCodesSplit() {
        Row row = CsvRecords.partner(partnerHeader(),
                "P-CR-007,\"Maya Moves, Yoga\",creator,APAC,hybrid,0.10,,,500,USD,false,,MAYA20;MAYA-VIP,active,2025-03-01");
        assertEquals("Maya Moves, Yoga", row.get(1));
        assertEquals(new BigDecimal("0.10000000"), row.get(5));
        assertEquals(new BigDecimal("500.0000"), row.get(8));
        assertEquals(false, row.get(10));
        assertArrayEquals(new String[] {"MAYA20", "MAYA-VIP"}, (String[]) row.get(12));
    }

    @Test
    void partnerRulesQuarantineBadRows() {
        CsvRecords.Header h = partnerHeader();
        assertEquals("unknown_enum:partner_type", assertThrows(Rejection.class, () -> CsvRecords.partner(h,
                "P-1,X,influencer,NA,cps,0.1,,,,USD,false,,,active,2025-01-01")).reason());
        assertEquals("missing_field:cps_rate", assertThrows(Rejection.class, () -> CsvRecords.partner(h,
                "P-1,X,coupon,NA,cps,,,,,USD,false,,,active,2025-01-01")).reason());
        assertEquals("wrong_column_count", assertThrows(Rejection.class, () -> CsvRecords.partner(h,
                "P-1,X,coupon,NA,cps,0.1")).reason());
    }

    @Test
    void amountsAndRatesThatDoNotFitTheirColumnAreRejectedNotStoredAsNull() {
        CsvRecords.Header h = partnerHeader();
        // decimal(18,8): 10 digits before the point
        assertEquals("bad_number:cps_rate", assertThrows(Rejection.class, () -> CsvRecords.partner(h,
                "P-1,X,coupon,NA,cps,12345678901,,,,USD,false,,,active,2025-01-01")).reason());
        CsvRecords.Header s = CsvRecords.Header.of(String.join(",", Contract.SPEND_COLUMNS), Contract.SPEND_COLUMNS, "s.csv");
        // decimal(18,4): 14 digits before the point
        assertEquals("bad_number:spend", assertThrows(Rejection.class,
                () -> CsvRecords.spend(s, "2026-11-20,display,NA,USD,123456789012345,1,1")).reason());
        assertEquals(new BigDecimal("99999999999999.0000"),
                CsvRecords.spend(s, "2026-11-20,display,NA,USD,99999999999999,1,1").get(4));
    }

    @Test
    void datesParquetCannotStoreAndBrokenIdsAreRejected() {
        CsvRecords.Header h = partnerHeader();
        assertEquals("out_of_range:joined_date", assertThrows(Rejection.class, () -> CsvRecords.partner(h,
                "P-1,X,coupon,NA,cps,0.1,,,,USD,false,,,active,1500-03-01")).reason());
        assertEquals("out_of_range:date", assertThrows(Rejection.class, () -> CsvRecords.fxRate(
                CsvRecords.Header.of("date,currency,usd_per_unit", Contract.FX_COLUMNS, "fx.csv"), "+10000-01-01,EUR,1.05")).reason());
        assertEquals("invalid_utf8:partner_id", assertThrows(Rejection.class, () -> CsvRecords.partner(h,
                "P-\uFFFD,X,coupon,NA,cps,0.1,,,,USD,false,,,active,2025-01-01")).reason());
    }

    @Test
    void headerMayComeInAnyOrderButMustHaveEveryColumn() {
        CsvRecords.Header h = CsvRecords.Header.of("usd_per_unit,currency,date", Contract.FX_COLUMNS, "fx.csv");
        Row fx = CsvRecords.fxRate(h, "1.054,EUR,2026-11-20");
        assertEquals("EUR", fx.get(1));
        RunStoppedException e = assertThrows(RunStoppedException.class,
                () -> CsvRecords.Header.of("date,channel,region,currency,spend,clicks", Contract.SPEND_COLUMNS,
                        "landing/spend/dt=2026-11-20/spend.csv"));
        assertTrue(e.getMessage().contains("spend.csv") && e.getMessage().contains("impressions"), e.getMessage());
    }

    @Test
    void spendOnlyForPaidNonPartnerChannelsAndNonNegative() {
        CsvRecords.Header h = CsvRecords.Header.of(String.join(",", Contract.SPEND_COLUMNS), Contract.SPEND_COLUMNS, "s.csv");
        assertEquals("unknown_enum:channel", assertThrows(Rejection.class,
                () -> CsvRecords.spend(h, "2026-11-20,affiliate,NA,USD,10,1,1")).reason());
        assertEquals("bad_value:spend", assertThrows(Rejection.class,
                () -> CsvRecords.spend(h, "2026-11-20,paid_search,NA,USD,-10,1,1")).reason());
        assertEquals(6100L, CsvRecords.spend(h, "2026-11-20,paid_search,NA,USD,1840.50,220000,6100").get(6));
    }

    @Test
    void aLiftTestRowIsTypedAndNumbersThatCannotBeATestAreRejected() {
        CsvRecords.Header h = CsvRecords.Header.of(String.join(",", Contract.EXPERIMENT_COLUMNS),
                Contract.EXPERIMENT_COLUMNS, "experiments.csv");
        Row row = CsvRecords.experiment(h, "lift-7,cashback,2026-10-01,2026-10-28,5000,310,5000,290,1200,0");
        assertEquals("lift-7", row.get(0));
        assertEquals("cashback", row.get(1));
        assertEquals(java.sql.Date.valueOf("2026-10-28"), row.get(3));
        assertEquals(List.of(5000L, 310L, 5000L, 290L, 1200L, 0L),
                List.of(row.get(4), row.get(5), row.get(6), row.get(7), row.get(8), row.get(9)));
        // a channel is a group too; "affiliate" is not (a lift test names the partner type)
        assertEquals("paid_social", CsvRecords.experiment(h,
                "l-2,paid_social,2026-10-01,2026-10-01,10,0,10,0,0,40").get(1));
        assertEquals("unknown_enum:group", assertThrows(Rejection.class, () -> CsvRecords.experiment(h,
                "l-3,affiliate,2026-10-01,2026-10-28,10,1,10,1,5,0")).reason());
        assertEquals("bad_value:end_date", assertThrows(Rejection.class, () -> CsvRecords.experiment(h,
                "l-4,coupon,2026-10-28,2026-10-01,10,1,10,1,5,0")).reason());
        assertEquals("bad_value:control_persons", assertThrows(Rejection.class, () -> CsvRecords.experiment(h,
                "l-5,coupon,2026-10-01,2026-10-28,10,1,0,0,5,0")).reason());
        assertEquals("bad_value:test_clicks", assertThrows(Rejection.class, () -> CsvRecords.experiment(h,
                "l-6,coupon,2026-10-01,2026-10-28,10,1,10,1,0,0")).reason());
        assertEquals("bad_value:test_conversions", assertThrows(Rejection.class, () -> CsvRecords.experiment(h,
                "l-7,coupon,2026-10-01,2026-10-28,10,-1,10,1,5,0")).reason());
        assertEquals("missing_field:test_clicks", assertThrows(Rejection.class, () -> CsvRecords.experiment(h,
                "l-8,coupon,2026-10-01,2026-10-28,10,1,10,1,,3")).reason());
    }
}
