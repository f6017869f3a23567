package com.partnermix.ingest;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** File discovery on a real folder, without Spark: what is read, and a warning for everything that is not. */
class LandingTest {

    private static final LocalDate D = LocalDate.parse("2026-11-20");

    @TempDir
    Path tmp;

    private Path touch(String relative) throws Exception {
        Path file = tmp.resolve("landing").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{}\n");
        return file;
    }

    private Landing landing() {
        return new Landing(new Configuration(), null, tmp.resolve("landing").toString(), D);
    }

    private static List<String> names(List<String> files) {
        return files.stream().map(f -> f.substring(f.lastIndexOf('/') + 1)).toList();
    }

    @Test
    void hostileFileNamesAreListedLiterallyAndUpperCaseSuffixesAccepted() throws Exception {
        for (String name : List.of("part-0001.jsonl", "PART-0002.JSONL", "part[3].jsonl", "part{4}.jsonl", "part*5.jsonl",
                "part:6.jsonl", "part 7 (1).jsonl.gz", "part-8.Jsonl.Gz", ".part-0001.jsonl.crc", "_SUCCESS", "notes.txt")) {
            touch("touchpoints/dt=" + D + "/" + name);
        }
        Landing landing = landing();
        assertEquals(List.of("PART-0002.JSONL", "part 7 (1).jsonl.gz", "part*5.jsonl", "part-0001.jsonl", "part:6.jsonl",
                "part[3].jsonl", "part{4}.jsonl"), names(landing.files(Landing.Feed.TOUCHPOINTS)));
        // markers and checksum sidecars are silent; anything else left unread is said
        assertEquals(List.of("touchpoints/dt=2026-11-20: not read: 'notes.txt' (expected .jsonl or .jsonl.gz), "
                + "'part-8.Jsonl.Gz' (compressed files must end in lower-case .gz to be decompressed)"), landing.warnings());
    }

    @Test
    void aLinkLeadingOutOfTheLandingZoneIsNotFollowed() throws Exception {
        touch("orders/dt=" + D + "/part-0001.jsonl");
        Path secret = Files.writeString(tmp.resolve("secret.jsonl"), "root:x:0:0\n");
        Path inside = touch("orders/dt=2026-11-19/part-0001.jsonl");
        Path dir = tmp.resolve("landing/orders/dt=" + D);
        Files.createSymbolicLink(dir.resolve("evil.jsonl"), secret);
        Files.createSymbolicLink(dir.resolve("yesterday.jsonl"), inside);
        Landing landing = landing();
        assertEquals(List.of("part-0001.jsonl", "yesterday.jsonl"), names(landing.files(Landing.Feed.ORDERS)));
        assertEquals(List.of("orders/dt=2026-11-20: not read: 'evil.jsonl' (leads out of the landing zone through a"
                + " symbolic link)"), landing.warnings());
    }

    @Test
    void aDayFolderThatIsALinkOutOfTheZoneIsNotFollowedEither() throws Exception {
        Path elsewhere = tmp.resolve("elsewhere");
        Files.createDirectories(elsewhere);
        Files.writeString(elsewhere.resolve("part-0001.jsonl"), "{}\n");
        Files.createDirectories(tmp.resolve("landing/orders"));
        Files.createSymbolicLink(tmp.resolve("landing/orders/dt=" + D), elsewhere);
        Landing landing = landing();
        var e = org.junit.jupiter.api.Assertions.assertThrows(com.partnermix.common.RunStoppedException.class,
                () -> landing.files(Landing.Feed.ORDERS));
        assertTrue(e.getMessage().contains("no orders files for 2026-11-20"), e.getMessage());
        assertTrue(landing.warnings().get(0).contains("'part-0001.jsonl' (leads out of the landing zone"), landing.warnings().toString());
    }

    @Test
    void foldersNotNamedAsADeliveryDayAreReportedEveryNight() throws Exception {
        touch("touchpoints/dt=" + D + "/part-0001.jsonl");
        for (String folder : List.of("dt=2026-11-20 ", "dt=20261120", "DT=2026-11-20", "dt=2026-11-31", "dt=2026-11-2",
                "2026-11-20", "dt=2026-11-19")) {
            touch("touchpoints/" + folder + "/part-0001.jsonl");
        }
        touch("touchpoints/part-0009.jsonl");
        touch("touchpoints/_tmp/part-0001.jsonl");
        Landing landing = landing();
        assertEquals(List.of("part-0001.jsonl"), names(landing.files(Landing.Feed.TOUCHPOINTS)));
        assertEquals(List.of("touchpoints: never read, not named dt=YYYY-MM-DD: '2026-11-20', 'DT=2026-11-20', "
                + "'dt=2026-11-2', 'dt=2026-11-20 ', 'dt=2026-11-31', 'dt=20261120', 'part-0009.jsonl' (a file outside"
                + " any dt= folder)"), landing.warnings());
    }

    @Test
    void sourceFilesAreDecodedFromTheUriSparkReports() {
        assertEquals("spend/dt=2026-11-20/spend (1).csv",
                Landing.sourceFile("file:///data/landing/spend/dt=2026-11-20/spend%20(1).csv"));
        assertEquals("touchpoints/dt=2026-11-20/part[3]%.jsonl",
                Landing.sourceFile("file:/data/landing/touchpoints/dt=2026-11-20/part%5B3%5D%25.jsonl"));
        assertEquals("/a\\[b\\]/c\\*d\\{e\\}\\?", Landing.escapeGlob("/a[b]/c*d{e}?"));
    }
}
