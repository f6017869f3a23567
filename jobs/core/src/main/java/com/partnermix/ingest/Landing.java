package com.partnermix.ingest;

import com.partnermix.common.RunStoppedException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.udf;

/**
 * The landing zone of one delivery day: {@code <landing>/<feed>/dt=YYYY-MM-DD/<files>}. Everything in it is
 * hostile: file names are read literally (no glob, no URL decoding surprises), a stale Hadoop {@code .crc}
 * sidecar is ignored, a symbolic link leading out of the landing zone is not followed, and every entry that is
 * not read (a wrong suffix, a folder not named {@code dt=YYYY-MM-DD}) is reported in {@link #warnings()}.
 */
public final class Landing {

    /** A feed of the contract and the file names it delivers (suffixes compared ignoring case). */
    public enum Feed {
        TOUCHPOINTS("touchpoints", true, ".jsonl", ".jsonl.gz"),
        ORDERS("orders", true, ".jsonl", ".jsonl.gz"),
        PARTNERS("partners", true, "partners.csv"),
        SPEND("spend", false, ".csv"),
        FX_RATES("fx_rates", true, "fx_rates.csv"),
        EXPERIMENTS("experiments", false, ".csv");

        public final String folder;
        public final boolean required;
        private final List<String> suffixes;

        Feed(String folder, boolean required, String... suffixes) {
            this.folder = folder;
            this.required = required;
            this.suffixes = List.of(suffixes);
        }

        boolean accepts(String fileName) {
            String lower = fileName.toLowerCase(Locale.ROOT);
            return suffixes.stream().anyMatch(lower::endsWith);
        }
    }

    /** At most this many names are listed per warning; the rest are counted. */
    private static final int NAMES_PER_WARNING = 10;

    private final SparkSession spark;
    private final Configuration conf;
    private final String root;
    private final LocalDate date;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

    public Landing(SparkSession spark, String root, LocalDate date) {
        this(spark.sparkContext().hadoopConfiguration(), spark, root, date);
    }

    /** Without a Spark session: file discovery and headers only (tests). */
    Landing(Configuration conf, SparkSession spark, String root, LocalDate date) {
        this.spark = spark;
        this.conf = conf;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.date = date;
    }

    public String folder(Feed feed) {
        return root + "/" + feed.folder + "/dt=" + date;
    }

    /** What discovery left unread and why (printed by the job): never silence. */
    public List<String> warnings() {
        synchronized (warnings) {
            return List.copyOf(warnings);
        }
    }

    /** The day's files of a feed, sorted; a missing required feed stops the run before anything is written. */
    public List<String> files(Feed feed) {
        Path dir = new Path(folder(feed));
        try {
            FileSystem fs = rawFileSystem(dir);
            warnAboutFolders(fs, feed);
            if (!fs.exists(dir)) {
                if (feed.required) {
                    throw new RunStoppedException("no " + feed.folder + " delivery for " + date + ": " + dir
                            + " does not exist (the feed is late or missing; nothing was ingested)");
                }
                return List.of();
            }
            List<String> files = new ArrayList<>();
            List<String> unread = new ArrayList<>();
            for (Entry entry : entries(fs, dir)) {
                String name = entry.name();
                if (name.startsWith(".") || name.startsWith("_")) {
                    continue;   // uploads in progress, markers, checksum sidecars
                }
                String why = !entry.isFile() ? "not a file"
                        : !feed.accepts(name) ? "expected " + String.join(" or ", feed.suffixes)
                        : name.toLowerCase(Locale.ROOT).endsWith(".gz") && !name.endsWith(".gz")
                        ? "compressed files must end in lower-case .gz to be decompressed"
                        : entry.outside() ? "leads out of the landing zone through a symbolic link" : null;
                if (why == null) {
                    files.add(dir + "/" + name);
                } else {
                    unread.add("'" + name + "' (" + why + ")");
                }
            }
            Collections.sort(files);
            if (!unread.isEmpty()) {
                Collections.sort(unread);
                warn(feed.folder + "/dt=" + date + ": not read: ", unread);
            }
            if (files.isEmpty() && feed.required) {
                throw new RunStoppedException("no " + feed.folder + " files for " + date + " in " + dir
                        + " (expected " + feed.suffixes + "; nothing was ingested)");
            }
            return files;
        } catch (IOException | IllegalArgumentException e) {
            throw new RunStoppedException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One entry of a folder: its name, whether it is a regular file, whether it leads out of the landing zone. */
    private record Entry(String name, boolean isFile, boolean outside) {}

    /**
     * A local landing zone is listed with java.nio: Hadoop cannot list a name holding a colon ("part:1.jsonl"
     * is read as a URI scheme and fails the whole listing), and only java.nio tells where a link leads.
     */
    private List<Entry> entries(FileSystem fs, Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (isLocal(dir)) {
            java.nio.file.Path local = localPath(dir);
            java.nio.file.Path realRoot = localPath(new Path(root)).toRealPath();
            try (var list = java.nio.file.Files.list(local)) {
                for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) list::iterator) {
                    boolean isFile = java.nio.file.Files.isRegularFile(p);
                    boolean outside = false;
                    if (isFile) {
                        outside = !p.toRealPath().startsWith(realRoot);
                    }
                    entries.add(new Entry(p.getFileName().toString(), isFile, outside));
                }
            }
            return entries;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            entries.add(new Entry(status.getPath().getName(), status.isFile(), false));
        }
        return entries;
    }

    /** Folders of the feed not named dt=YYYY-MM-DD are never read by any night: say so, every night. */
    private void warnAboutFolders(FileSystem fs, Feed feed) throws IOException {
        Path feedDir = new Path(root + "/" + feed.folder);
        if (!fs.exists(feedDir)) {
            return;
        }
        List<String> bad = new ArrayList<>();
        for (Entry entry : entries(fs, feedDir)) {
            String name = entry.name();
            if (name.startsWith(".") || name.startsWith("_")) {
                continue;
            }
            if (entry.isFile()) {
                bad.add("'" + name + "' (a file outside any dt= folder)");
            } else if (!isDayFolder(name)) {
                bad.add("'" + name + "'");
            }
        }
        if (!bad.isEmpty()) {
            Collections.sort(bad);
            warn(feed.folder + ": never read, not named dt=YYYY-MM-DD: ", bad);
        }
    }

    static boolean isDayFolder(String name) {
        if (!name.startsWith("dt=")) {
            return false;
        }
        String day = name.substring(3);
        try {
            return LocalDate.parse(day).toString().equals(day);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private void warn(String what, List<String> names) {
        String listed = String.join(", ", names.subList(0, Math.min(NAMES_PER_WARNING, names.size())));
        int more = names.size() - NAMES_PER_WARNING;
        warnings.add(what + listed + (more > 0 ? " and " + more + " more" : ""));
    }

    /**
     * The lines of the files as {@code (source_file, line)} ({@link ParsedLines} skips the blank ones); {@code source_file} is
     * relative to the landing root so that tables do not depend on where the landing zone is mounted.
     */
    public Dataset<Row> lines(List<String> files) {
        if (files.isEmpty()) {
            return spark.createDataFrame(List.of(), new org.apache.spark.sql.types.StructType()
                    .add("source_file", "string").add("line", "string"));
        }
        // Paths are patterns to Spark ("part[1].jsonl" would match part1.jsonl, "*" every file): escaped, they
        // name themselves. The raw local file system ignores a stale .crc sidecar a Hadoop tool left behind,
        // which would otherwise fail the read with a checksum error (and move the file to bad_files).
        String[] paths = files.stream().map(Landing::escapeGlob).toArray(String[]::new);
        return spark.read()
                .option("fs.file.impl", RawLocalFileSystem.class.getName())
                .option("fs.file.impl.disable.cache", "true")
                .text(paths)
                .select(SOURCE_FILE.apply(input_file_name()).as("source_file"), col("value").as("line"));
    }

    /** input_file_name() is a URI (a space is %20): decoded, it is the name the header map and the listing use. */
    private static final UserDefinedFunction SOURCE_FILE =
            udf((UDF1<String, String>) Landing::sourceFile, DataTypes.StringType);

    /**
     * Every line of a file asks for the same name, and decoding one costs about as much as parsing the line: the
     * names already decoded in this JVM are kept (a pure function of the URI; bounded by the files of a run).
     */
    private static final java.util.Map<String, String> SOURCE_FILES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SOURCE_FILES_KEPT = 100_000;

    static String sourceFile(String uri) {
        String known = SOURCE_FILES.get(uri);
        if (known != null) {
            return known;
        }
        String decoded = decodedSourceFile(uri);
        if (SOURCE_FILES.size() < SOURCE_FILES_KEPT) {
            SOURCE_FILES.put(uri, decoded);
        }
        return decoded;
    }

    private static String decodedSourceFile(String uri) {
        String path;
        try {
            path = new java.net.URI(uri).getPath();
        } catch (java.net.URISyntaxException e) {
            path = null;
        }
        return relative(path == null ? uri : path);
    }

    static String escapeGlob(String path) {
        StringBuilder out = new StringBuilder(path.length() + 8);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if ("\\[]{}*?".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
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
                FileSystem fs = rawFileSystem(path);
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
        try (InputStream raw = rawFileSystem(path).open(path);
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

    /** The file system of a path, without Hadoop's client-side checksums (a landing zone has no .crc files). */
    private FileSystem rawFileSystem(Path path) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
    }

    private static boolean isLocal(Path path) {
        String scheme = path.toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    private static java.nio.file.Path localPath(Path path) {
        return java.nio.file.Path.of(path.toUri().getPath());
    }

    /** The delivery day of a column of relative file names ({@code feed/dt=YYYY-MM-DD/name}): its dt= folder. */
    static org.apache.spark.sql.Column deliveryDay(org.apache.spark.sql.Column file) {
        return org.apache.spark.sql.functions.to_date(
                org.apache.spark.sql.functions.regexp_extract(file, "/dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]*$", 1));
    }

    static String relative(String file) {
        return file.replaceAll("^.*/([^/]+/dt=[^/]+/[^/]+)$", "$1");
    }
}
