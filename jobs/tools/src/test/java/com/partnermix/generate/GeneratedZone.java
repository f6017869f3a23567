package com.partnermix.generate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Small generated landing zones shared by the generator tests (each generated once per JVM). */
final class GeneratedZone {

    static final LocalDate LAST = LocalDate.parse("2026-11-20");
    static final int DAYS = 4;
    static final int PERSONS = 300;
    static final List<String> KNOCKOUTS = List.of("creator", "paid_search");
    private static final Map<String, GeneratedZone> CACHE = new HashMap<>();

    final Path landing;
    final Path truth;
    final GeneratorOptions options;

    private GeneratedZone(Path root, GeneratorOptions options) {
        this.landing = root.resolve("landing");
        this.truth = root.resolve("truth");
        this.options = options;
    }

    /** The reference run: late, duplicate and malformed deliveries, two knocked-out sources, gzip files. */
    static GeneratedZone reference() {
        return get("reference", false);
    }

    /** The same run again in another folder. */
    static GeneratedZone rerun() {
        return get("rerun", false);
    }

    /** The same seed delivered on time. */
    static GeneratedZone onTime() {
        return get("on-time", true);
    }

    /** A larger plain run (no knockouts, no broken lines) for statistical checks of the truth. */
    static GeneratedZone larger() {
        return get("larger", 2500, 8, false, List.of(), 0.0);
    }

    /** A plain run of the holdout profile (behaviour rates and delays from the ranges the rules were not tuned on). */
    static GeneratedZone holdout() {
        return get("holdout", 3000, 8, false, List.of(), 0.0, true);
    }

    private static GeneratedZone get(String name, boolean onTime) {
        return get(name, PERSONS, DAYS, onTime, KNOCKOUTS, 0.02);
    }

    private static GeneratedZone get(String name, long persons, int days, boolean onTime, List<String> knockouts,
                                     double malformed) {
        return get(name, persons, days, onTime, knockouts, malformed, false);
    }

    private static synchronized GeneratedZone get(String name, long persons, int days, boolean onTime,
                                                  List<String> knockouts, double malformed, boolean holdout) {
        return CACHE.computeIfAbsent(name, n -> {
            Path root = Path.of("target", "generate-tests", n);
            GeneratorOptions o = new GeneratorOptions(LAST, days, persons, 7, 40, root.resolve("landing").toString(),
                    root.resolve("truth").toString(), true, onTime, knockouts, malformed, 0.02, 0.1, 2, holdout);
            try {
                GenerateJob.generate(TestSpark.get(), o);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new GeneratedZone(root, o);
        });
    }

    /** Every file under a folder, by path relative to it, sorted. */
    static List<Path> files(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(dir::relativize).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of one file, gunzipped when needed. */
    static List<String> lines(Path file) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
                out.remove(out.size() - 1);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** (dt, line) of every line of a JSON Lines feed. */
    List<String[]> feedLines(String feed) {
        List<String[]> out = new ArrayList<>();
        Path dir = landing.resolve(feed);
        for (Path rel : files(dir)) {
            String dt = rel.getName(0).toString().substring(3);
            for (String line : lines(dir.resolve(rel))) {
                out.add(new String[] {dt, line});
            }
        }
        return out;
    }

    /** Rows of a truth CSV folder without headers; the last column may be an RFC 4180 quoted field. */
    List<List<String>> truthRows(String folder) {
        List<List<String>> rows = new ArrayList<>();
        Path dir = truth.resolve(folder);
        for (Path rel : files(dir)) {
            List<String> lines = lines(dir.resolve(rel));
            for (String line : lines.subList(1, lines.size())) {
                rows.add(parseCsv(line));
            }
        }
        return rows;
    }

    /** The ingest's own RFC 4180 splitter: generator output is read the way the warehouse reads it. */
    static List<String> parseCsv(String line) {
        return com.partnermix.ingest.CsvRecords.split(line);
    }
}
