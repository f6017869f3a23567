package com.partnermix.ingest;

import com.partnermix.common.RunStoppedException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;

/** The landing zone of one delivery day: {@code <landing>/<feed>/dt=YYYY-MM-DD/<files>}. */
public final class Landing {

    /** A feed of the contract and the file names it delivers. */
    public enum Feed {
        TOUCHPOINTS("touchpoints", true, ".jsonl", ".jsonl.gz"),
        ORDERS("orders", true, ".jsonl", ".jsonl.gz"),
        PARTNERS("partners", true, "partners.csv"),
        SPEND("spend", false, ".csv"),
        FX_RATES("fx_rates", true, "fx_rates.csv");

        public final String folder;
        public final boolean required;
        private final List<String> suffixes;

        Feed(String folder, boolean required, String... suffixes) {
            this.folder = folder;
            this.required = required;
            this.suffixes = List.of(suffixes);
        }

        boolean accepts(String fileName) {
            return suffixes.stream().anyMatch(fileName::endsWith);
        }
    }

    private final SparkSession spark;
    private final String root;
    private final LocalDate date;

    public Landing(SparkSession spark, String root, LocalDate date) {
        this.spark = spark;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.date = date;
    }

    public String folder(Feed feed) {
        return root + "/" + feed.folder + "/dt=" + date;
    }

    /** The day's files of a feed, sorted; a missing required feed stops the run before anything is written. */
    public List<String> files(Feed feed) {
        Path dir = new Path(folder(feed));
        try {
            FileSystem fs = dir.getFileSystem(hadoopConf());
            if (!fs.exists(dir)) {
                if (feed.required) {
                    throw new RunStoppedException("no " + feed.folder + " delivery for " + date + ": " + dir
                            + " does not exist (the feed is late or missing; nothing was ingested)");
                }
                return List.of();
            }
            FileStatus[] statuses = fs.listStatus(dir);
            List<String> files = Arrays.stream(statuses)
                    .filter(FileStatus::isFile)
                    .map(s -> s.getPath().getName())
                    .filter(name -> !name.startsWith(".") && !name.startsWith("_") && feed.accepts(name))
                    .sorted(Comparator.naturalOrder())
                    .map(name -> dir + "/" + name)
                    .toList();
            if (files.isEmpty() && feed.required) {
                throw new RunStoppedException("no " + feed.folder + " files for " + date + " in " + dir
                        + " (expected " + feed.suffixes + "; nothing was ingested)");
            }
            return files;
        } catch (IOException e) {
            throw new RunStoppedException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The non-blank lines of the files as {@code (source_file, line)}; {@code source_file} is
     * relative to the landing root so that tables do not depend on where the landing zone is mounted.
     */
    public Dataset<Row> lines(List<String> files) {
        if (files.isEmpty()) {
            return spark.createDataFrame(List.of(), new org.apache.spark.sql.types.StructType()
                    .add("source_file", "string").add("line", "string"));
        }
        return spark.read().text(files.toArray(new String[0]))
                .select(regexp_replace(input_file_name(), "^.*/([^/]+/dt=[^/]+/[^/]+)$", "$1").as("source_file"),
                        col("value").as("line"))
                .where(length(trim(col("line"))).gt(0));
    }

    /**
     * Every gzip file of the list decompresses to its end. A file cut during delivery would otherwise fail a
     * Spark task half way through the run ("Unexpected end of input stream", no file named) after other feeds
     * were written; checked up front, it stops the run naming the file before anything is written. The cost is
     * one extra decompression of the gzipped files on the driver. An empty (0-byte) file is an empty delivery.
     */
    public void checkComplete(List<String> files) {
        for (String file : files) {
            if (!file.endsWith(".gz")) {
                continue;
            }
            Path path = new Path(file);
            try {
                FileSystem fs = path.getFileSystem(hadoopConf());
                if (fs.getFileStatus(path).getLen() == 0) {
                    continue;
                }
                try (InputStream in = new GZIPInputStream(fs.open(path))) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            } catch (IOException e) {
                throw new RunStoppedException("File " + file + " is not a complete gzip file (" + e.getMessage()
                        + "): it was probably cut during delivery. Nothing was ingested; redeliver the file and rerun.", e);
            }
        }
    }

    /** The first line of a (possibly gzipped) CSV file: its header. Reads only that line. */
    public String header(String file) {
        Path path = new Path(file);
        try (InputStream raw = path.getFileSystem(hadoopConf()).open(path);
             InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = reader.readLine();
            if (header == null || header.isBlank()) {
                throw new RunStoppedException("File " + file + " is empty: a CSV feed needs at least its header row");
            }
            return header;
        } catch (IOException e) {
            throw new RunStoppedException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Configuration hadoopConf() {
        return spark.sparkContext().hadoopConfiguration();
    }

    static String relative(String file) {
        return file.replaceAll("^.*/([^/]+/dt=[^/]+/[^/]+)$", "$1");
    }
}
