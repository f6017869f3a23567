package com.partnermix.cli;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgsTest {

    @Test
    void commonAndJobOptionsAreParsed() {
        Args args = Args.parse(new String[] {"generate", "--date", "2026-11-20", "--conf", "conf/local.yaml",
                "--set", "spark.shuffle_partitions=8", "--persons=500", "--gzip"});
        assertEquals("generate", args.command());
        assertEquals(LocalDate.parse("2026-11-20"), args.date());
        assertEquals(List.of("spark.shuffle_partitions=8"), args.overrides());
        assertEquals(500, args.intOption("persons", 1));
        assertTrue(args.flag("gzip"));
    }

    @Test
    void jobsThatNeedADateSayHowToGiveIt() {
        Args args = Args.parse(new String[] {"ingest"});
        Args.UsageException e = assertThrows(Args.UsageException.class, args::requireDate);
        assertTrue(e.getMessage().contains("--date YYYY-MM-DD"));
        assertThrows(Args.UsageException.class, () -> Args.parse(new String[] {"ingest", "--date", "20-11-2026"}));
    }

    @Test
    void unknownSubcommandOrMissingDateExitWithUsageCode() {
        assertEquals(2, Main.execute(new String[] {"frobnicate"}));
        assertEquals(2, Main.execute(new String[] {"ingest", "--set", "paths.landing=/nonexistent"}));
        assertEquals(0, Main.execute(new String[] {"help"}));
    }

    @Test
    void helpOfASubcommandPrintsItsSummaryAndRunsNothing() {
        // Without --date the journeys job would refuse to start (exit 2); --help answers before any job runs.
        assertEquals(0, Main.execute(new String[] {"journeys", "--help"}));
        assertEquals(0, Main.execute(new String[] {"bench", "--help", "--persons", "200000"}));
    }
}
