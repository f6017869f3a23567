package com.partnermix.common;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run lock of one warehouse and run date: two runs of the same date at once (a retry after a timeout beside the
 * run that timed out, a manual run beside the DAG) would both see a key as new and store it twice, so the second run
 * must stop before it reads anything.
 *
 * <p>The lock is a lease file, {@code <lock dir>/<date>/lease-NNNNNN}, holding who took it (job, host, pid, start).
 * Taking it is creating the next lease number <em>exclusively</em>: {@code O_CREAT|O_EXCL} on a local disk, the
 * NameNode's create-if-absent on HDFS. Of two runs that race for the same number exactly one succeeds, whatever the
 * timing; that is why the lease is a file and not a Delta row (Delta lets two blind appends to one table both commit,
 * and its conflict detection would need a read-then-write transaction and a Spark session just to hold a lock).
 * The holder renews the lease (the file's modification time) every quarter of the lease time; a lease not renewed
 * for the lease time belongs to a run that died (killed, lost its machine) and the next run takes it over by
 * creating the next number, so a dead run never blocks a date for longer than one lease. A lease is never rewritten
 * or deleted by anyone but its holder, except superseded ones, so a takeover cannot remove a live lease.
 *
 * <p>Object stores: S3A (Hadoop 3.3, Spark 3.5's) checks and then puts, which is not atomic: there the lock narrows
 * the window to milliseconds but does not close it, and the Airflow pool (docs/operations.md, "Orchestration") is the guarantee;
 * {@code runs.lock_dir} may point the locks at a file system with an atomic create (HDFS, a shared disk) instead.
 */
public final class RunLock implements AutoCloseable {

    private static final String PREFIX = "lease-";
    private static final Pattern LEASE = Pattern.compile("lease-(\\d{6,})");

    private final Store store;
    private final String lease;
    private final String dateDir;
    private final Holder holder;
    private final String tookOver;
    private final ScheduledExecutorService renewer;
    private final Thread onShutdown;
    private volatile String lost;
    private boolean released;

    /** Who holds a lease, as written into its file. */
    public record Holder(String job, LocalDate date, String warehouse, String host, long pid, Instant startedAt,
                         Duration lease) {

        String text() {
            return "job=" + job + "\ndate=" + date + "\nwarehouse=" + warehouse + "\nhost=" + host + "\npid=" + pid
                    + "\nstarted_at=" + startedAt + "\nlease_seconds=" + lease.toSeconds() + "\n";
        }

        String describe() {
            return job + " on host " + host + ", pid " + pid + ", started " + startedAt;
        }

        /** A lease file's content; null when it cannot be read (being written, or damaged). */
        static Holder parse(String text) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            try {
                return new Holder(values.getOrDefault("job", "?"), LocalDate.parse(values.get("date")),
                        values.getOrDefault("warehouse", "?"), values.getOrDefault("host", "?"),
                        Long.parseLong(values.get("pid")), Instant.parse(values.get("started_at")),
                        Duration.ofSeconds(Long.parseLong(values.get("lease_seconds"))));
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** Another run holds the date: the launcher prints the message and exits 1. */
    public static final class HeldException extends RunStoppedException {
        HeldException(String message) {
            super(message);
        }
    }

    private RunLock(Store store, String dateDir, String lease, Holder holder, String tookOver) {
        this.store = store;
        this.dateDir = dateDir;
        this.lease = lease;
        this.holder = holder;
        this.tookOver = tookOver;
        long every = Math.max(50, holder.lease().toMillis() / 4);
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "partnermix-run-lock");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        // A run stopped by SIGTERM (Airflow's timeout, Ctrl-C) gives the date back at once; only SIGKILL or a lost
        // machine leaves the lease to expire.
        this.onShutdown = new Thread(this::release, "partnermix-run-lock-release");
        Runtime.getRuntime().addShutdownHook(onShutdown);
    }

    /** The lock folder of a warehouse: {@code lockDir} when set (shared by several warehouses), else in the warehouse. */
    public static String lockRoot(String warehouse, String lockDir) {
        String root = warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
        if (lockDir == null || lockDir.isBlank()) {
            return root + "/_run_locks";
        }
        String dir = lockDir.endsWith("/") ? lockDir.substring(0, lockDir.length() - 1) : lockDir;
        return dir + "/" + sha256(root).substring(0, 16);
    }

    /** Takes the lock of {@code date} in the warehouse of {@code config} for {@code job}. */
    public static RunLock acquire(PartnermixConfig config, LocalDate date, String job) {
        return acquire(lockRoot(config.paths().warehouse(), config.runs().lockDir()), config.paths().warehouse(), date,
                job, Duration.ofMinutes(config.runs().lockLeaseMinutes()), hadoopSettings(config));
    }

    /**
     * Takes the lock, or throws {@link HeldException} naming the holder when another run of the date holds a live
     * lease. A lease not renewed for its lease time is taken over ({@link #tookOver()} says whose).
     */
    public static RunLock acquire(String lockRoot, String warehouse, LocalDate date, String job, Duration leaseTime,
                                  Map<String, String> hadoopSettings) {
        Store store = Store.of(lockRoot, hadoopSettings);
        String dateDir = lockRoot + "/" + date;
        Holder me = new Holder(job, date, warehouse, hostName(), ProcessHandle.current().pid(), Instant.now(), leaseTime);
        try {
            store.mkdirs(dateDir);
            for (int attempt = 0; attempt < 5; attempt++) {
                List<Long> numbers = leaseNumbers(store, dateDir);
                long top = numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
                String tookOver = null;
                if (top > 0) {
                    String topLease = dateDir + "/" + name(top);
                    Long renewedAt = store.modifiedMillis(topLease);
                    if (renewedAt == null) {
                        continue;   // released meanwhile: look again
                    }
                    String text = store.read(topLease);
                    Holder other = text == null ? null : Holder.parse(text);
                    Duration otherLease = other == null ? leaseTime : other.lease();
                    Duration age = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - renewedAt));
                    if (age.compareTo(otherLease) <= 0) {
                        throw held(date, warehouse, other, topLease, age, otherLease);
                    }
                    tookOver = "took over the expired lease of " + (other == null ? "an unknown run" : other.describe())
                            + " (last renewed " + age.toSeconds() + " s ago, lease " + otherLease.toSeconds()
                            + " s): that run died or was killed";
                }
                String mine = dateDir + "/" + name(top + 1);
                if (store.createExclusive(mine, me.text())) {
                    for (long n : numbers) {
                        store.delete(dateDir + "/" + name(n));   // superseded: released or expired
                    }
                    return new RunLock(store, dateDir, mine, me, tookOver);
                }
                // Another run created that number first: look again (it now holds a live lease).
            }
        } catch (IOException e) {
            throw new RunStoppedException("cannot take the run lock of " + date + " in " + lockRoot + ": " + e, e);
        }
        throw new HeldException("another run of " + date + " on warehouse " + warehouse + " keeps taking the run lock "
                + "in " + dateDir + "; stopped without reading or writing anything");
    }

    private static HeldException held(LocalDate date, String warehouse, Holder other, String lease, Duration age,
                                      Duration leaseTime) {
        String who = other == null ? "a run that is still writing its lease file " + lease : other.describe();
        return new HeldException("another run of " + date + " holds the run lock of warehouse " + warehouse + ": "
                + who + " (lease " + lease + ", renewed " + age.toSeconds() + " s ago, expires " + leaseTime.toSeconds()
                + " s after its last renewal). Two runs of one date at once would store new keys twice, so this run "
                + "stopped without reading or writing anything. Wait for that run to finish and run again (a run that "
                + "died gives the date back when its lease expires).");
    }

    /** The run this lock was taken over from (a dead run's expired lease), or null. */
    public String tookOver() {
        return tookOver;
    }

    public Holder holder() {
        return holder;
    }

    /** The lease file. */
    public String lease() {
        return lease;
    }

    /** Why the lease was lost while held (taken over after a stall longer than the lease), or null. */
    public String lost() {
        return lost;
    }

    private void renew() {
        try {
            if (!store.touch(lease, System.currentTimeMillis())) {
                lost = "the lease file " + lease + " is gone";
            } else if (leaseNumbers(store, dateDir).stream().anyMatch(n -> n > number(lease))) {
                lost = "a later lease exists in " + dateDir;
            } else {
                return;
            }
            System.err.println("partnermix: WARNING: the run lock of " + holder.date() + " was lost (" + lost
                    + "): this run stalled longer than its lease and another run may have started; rerun the date "
                    + "when both have ended");
            renewer.shutdown();
        } catch (IOException | RuntimeException e) {
            System.err.println("partnermix: WARNING: could not renew the run lock " + lease + ": " + e);
        }
    }

    /** Gives the date back: stops renewing and deletes the lease (unless it was taken over meanwhile). */
    public synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        renewer.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(onShutdown);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        if (lost == null) {
            try {
                store.delete(lease);
            } catch (IOException e) {
                System.err.println("partnermix: WARNING: could not delete the run lock " + lease + " (it expires by "
                        + "itself): " + e);
            }
        }
    }

    @Override
    public void close() {
        release();
    }

    private static List<Long> leaseNumbers(Store store, String dir) throws IOException {
        List<Long> numbers = new ArrayList<>();
        for (String name : store.list(dir)) {
            Matcher m = LEASE.matcher(name);
            if (m.matches()) {
                numbers.add(Long.parseLong(m.group(1)));
            }
        }
        numbers.sort(null);
        return numbers;
    }

    private static String name(long n) {
        return String.format("%s%06d", PREFIX, n);
    }

    private static long number(String path) {
        Matcher m = LEASE.matcher(path.substring(path.lastIndexOf('/') + 1));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code spark.hadoop.*} settings of the configuration (object-store credentials, endpoints). */
    private static Map<String, String> hadoopSettings(PartnermixConfig config) {
        Map<String, String> out = new LinkedHashMap<>();
        config.spark().settings().forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                out.put(k.substring("spark.hadoop.".length()), v);
            }
        });
        return out;
    }

    /** The few file operations a lease needs, on a local disk or through Hadoop's file systems. */
    interface Store {
        void mkdirs(String dir) throws IOException;

        List<String> list(String dir) throws IOException;

        /** @return false when the file exists already */
        boolean createExclusive(String file, String text) throws IOException;

        /** @return null when the file does not exist */
        Long modifiedMillis(String file) throws IOException;

        /** @return null when the file does not exist */
        String read(String file) throws IOException;

        /** Sets the modification time of an existing file; false when it does not exist (never creates it). */
        boolean touch(String file, long millis) throws IOException;

        void delete(String file) throws IOException;

        static Store of(String root, Map<String, String> hadoopSettings) {
            URI uri = URI.create(root.replace(" ", "%20"));
            if (uri.getScheme() == null || uri.getScheme().equals("file") || uri.getScheme().length() == 1) {
                return new LocalStore();
            }
            Configuration conf = new Configuration();   // the cluster's core-site.xml, plus spark.hadoop.* settings
            hadoopSettings.forEach(conf::set);
            try {
                return new HadoopStore(new org.apache.hadoop.fs.Path(root).getFileSystem(conf));
            } catch (IOException e) {
                throw new RunStoppedException("cannot open the run lock folder " + root + ": " + e, e);
            }
        }
    }

    /** A local or mounted disk: java.nio's CREATE_NEW is the atomic O_CREAT|O_EXCL (Hadoop's local create is not). */
    static final class LocalStore implements Store {

        private static Path path(String location) {
            URI uri = URI.create(location.replace(" ", "%20"));
            return uri.getScheme() != null && uri.getScheme().equals("file") ? Path.of(uri) : Path.of(location);
        }

        @Override
        public void mkdirs(String dir) throws IOException {
            Files.createDirectories(path(dir));
        }

        @Override
        public List<String> list(String dir) throws IOException {
            try (var files = Files.list(path(dir))) {
                return files.map(p -> p.getFileName().toString()).toList();
            }
        }

        @Override
        public boolean createExclusive(String file, String text) throws IOException {
            try (OutputStream out = Files.newOutputStream(path(file), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }

        @Override
        public Long modifiedMillis(String file) throws IOException {
            try {
                return Files.getLastModifiedTime(path(file)).toMillis();
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public String read(String file) throws IOException {
            try {
                return Files.readString(path(file));
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public boolean touch(String file, long millis) throws IOException {
            try {
                Files.setLastModifiedTime(path(file), FileTime.fromMillis(millis));
                return true;
            } catch (NoSuchFileException e) {
                return false;
            }
        }

        @Override
        public void delete(String file) throws IOException {
            Files.deleteIfExists(path(file));
        }
    }

    /** HDFS (atomic create-if-absent at the NameNode), ABFS, GCS; S3A only as well as it can (class comment). */
    static final class HadoopStore implements Store {

        private final FileSystem fs;

        HadoopStore(FileSystem fs) {
            this.fs = fs;
        }

        @Override
        public void mkdirs(String dir) throws IOException {
            fs.mkdirs(new org.apache.hadoop.fs.Path(dir));
        }

        @Override
        public List<String> list(String dir) throws IOException {
            try {
                List<String> names = new ArrayList<>();
                for (FileStatus status : fs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
                    names.add(status.getPath().getName());
                }
                return names;
            } catch (FileNotFoundException e) {
                return List.of();
            }
        }

        @Override
        public boolean createExclusive(String file, String text) throws IOException {
            try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(file), false)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (IOException e) {
                // HDFS reports a lost create race as a RemoteException wrapping FileAlreadyExistsException
                if (fs.exists(new org.apache.hadoop.fs.Path(file))) {
                    return false;
                }
                throw e;
            }
        }

        @Override
        public Long modifiedMillis(String file) throws IOException {
            try {
                return fs.getFileStatus(new org.apache.hadoop.fs.Path(file)).getModificationTime();
            } catch (FileNotFoundException e) {
                return null;
            }
        }

        @Override
        public String read(String file) throws IOException {
            try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(file))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (FileNotFoundException e) {
                return null;
            }
        }

        @Override
        public boolean touch(String file, long millis) throws IOException {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file);
            try {
                fs.setTimes(path, millis, -1);
                if (fs.getFileStatus(path).getModificationTime() >= millis - 1000) {
                    return true;
                }
                // An object store ignores setTimes (S3A): rewriting the object is what moves its time.
                String text = read(file);
                if (text == null) {
                    return false;
                }
                try (OutputStream out = fs.create(path, true)) {
                    out.write(text.getBytes(StandardCharsets.UTF_8));
                }
                return true;
            } catch (FileNotFoundException e) {
                return false;
            }
        }

        @Override
        public void delete(String file) throws IOException {
            fs.delete(new org.apache.hadoop.fs.Path(file), false);
        }
    }
}
