package com.partnermix.serve;

import com.partnermix.job.Args;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.SparkSessions;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve}: the SQL endpoint for BI tools and analysts. A Spark Thrift Server (HiveServer2 protocol:
 * Hive JDBC, Spark ODBC) in this process, over a Derby metastore the process owns, serving the current
 * publication of {@code dq.publications} as views {@code gold.<table>} and {@code dq.check_results},
 * each pinned to its published Delta version and described from conf/catalog.yaml. It looks for a new
 * publication every {@code serve.refresh_seconds}, refuses writes ({@link ReadOnlyExtension}), listens on
 * serve.host only (loopback unless configured), asks for a password where configured, and runs until stopped
 * (Ctrl-C, SIGTERM). {@code serve --add-user NAME} adds a user to serve.password_file instead.
 */
public final class ServeJob implements Job {

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "SQL endpoint for BI tools (JDBC/ODBC, HiveServer2 protocol) over the published gold tables; runs until "
                + "stopped. --add-user NAME: add a user of serve.auth: password (password on standard input)";
    }

    /** Without options it serves; --add-user only adds a user and exits. */
    public static final class Options {
        @Option(names = "--add-user", paramLabel = "NAME", description = "add (or replace) a user of serve.auth: "
                + "password in serve.password_file, the password read from standard input, and exit")
        String addUser;
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) throws Exception {
        PartnermixConfig config = context.config();
        PartnermixConfig.Serve serve = config.serve();
        Optional<String> newUser = Optional.ofNullable(context.options(Options.class).addUser);
        if (newUser.isPresent()) {
            return addUser(serve, newUser.get());
        }
        // Every check of the configuration comes before Spark starts: a wrong one stops at once, with exit code 2.
        InetAddress address = bindAddress(serve);
        Path passwords = authentication(serve, address);
        String catalogDir = catalogDir(config);
        prepareHive(catalogDir, passwords);
        SparkSession spark = SparkSessions.create(config, sessionSettings(serve, catalogDir));
        ReadOnlyExtension.allowWrites(spark);
        Warehouse wh = new Warehouse(spark, config.paths().warehouse());
        PublishedCatalog catalog = new PublishedCatalog(wh, CatalogDocs.load(Path.of(serve.docs())));
        log(catalog.refresh());

        ThriftEndpoint.Started started = ThriftEndpoint.start(spark, address, serve.port());
        HiveThriftServer2 server = started.server();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("stopping the SQL endpoint");
            server.stop();
            stopped.countDown();
        }, "partnermix-serve-stop"));
        InetSocketAddress bound = started.address();
        String urlHost = address.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostName() : address.getHostAddress();
        log("SQL endpoint ready: jdbc:hive2://" + urlHost + ":" + bound.getPort() + "/gold (listening on "
                + bound.getAddress().getHostAddress() + ":" + bound.getPort() + "; authentication: "
                + (passwords == null ? "none" : "password, users in " + passwords) + "; read-only; "
                + "looks for a new publication every " + serve.refreshSeconds() + " s; Ctrl-C stops it)");
        refreshUntilStopped(catalog, stopped, serve.refreshSeconds());
        return 0;
    }

    /** The Hive server's files under the catalog folder, and the password check it calls at each login. */
    private static void prepareHive(String catalogDir, Path passwords) throws java.io.IOException {
        // Hive cleans its pipe-out files in the scratch folder at each JDBC session end: missing, it logs an ERROR.
        java.nio.file.Files.createDirectories(Path.of(catalogDir, "scratch"));
        // Derby writes derby.log to the working directory unless told otherwise.
        System.setProperty("derby.stream.error.file", Path.of(catalogDir, "derby.log").toAbsolutePath().toString());
        if (passwords != null) {
            PasswordFileAuthenticator.use(passwords);
            // Hive builds its CUSTOM authenticator from a new HiveConf at each login, which reads system properties.
            System.setProperty("hive.server2.custom.authentication.class", PasswordFileAuthenticator.class.getName());
        }
    }

    /** Serves each new publication as it appears, until the endpoint stops. */
    private static void refreshUntilStopped(PublishedCatalog catalog, CountDownLatch stopped, long refreshSeconds)
            throws InterruptedException {
        // A failed refresh keeps the previous publication served: BI keeps working on checked data.
        while (!stopped.await(refreshSeconds, TimeUnit.SECONDS)) {
            try {
                String change = catalog.refresh();
                if (change != null) {
                    log(change);
                }
            } catch (Exception e) {   // Spark's AnalysisException is checked: catch it too, never end the loop
                log("refresh failed, still serving the previous publication: " + e);
            }
        }
    }

    /** serve.host as an address: empty means this machine only (127.0.0.1), never every interface. */
    static InetAddress bindAddress(PartnermixConfig.Serve serve) {
        try {
            return ThriftEndpoint.bindAddress(serve.host());
        } catch (UnknownHostException e) {
            throw new Args.UsageException("serve.host '" + serve.host() + "' is not an address of this machine");
        }
    }

    /**
     * serve.auth: none only on a loopback address; password needs a password file with at least one user.
     *
     * @return the password file; null: no authentication
     */
    static Path authentication(PartnermixConfig.Serve serve, InetAddress address) throws IOException {
        String auth = serve.auth() == null ? "" : serve.auth().strip().toLowerCase(Locale.ROOT);
        switch (auth) {
            case "none" -> {
                if (!address.isLoopbackAddress()) {
                    throw new Args.UsageException("serve.host is " + serve.host() + ", reachable from other machines, "
                            + "and serve.auth is none: anyone reaching the port would read the warehouse. Set "
                            + "serve.auth: password (users in serve.password_file, added with `partnermix serve "
                            + "--add-user NAME`), or serve.host: 127.0.0.1.");
                }
                return null;
            }
            case "password" -> {
                Path file = passwordFile(serve);
                if (PasswordFile.users(file) == 0) {
                    throw new Args.UsageException("serve.auth is password but " + file + " holds no user: add one with "
                            + "`partnermix serve --add-user NAME` (reads the password from standard input)");
                }
                return file;
            }
            default -> throw new Args.UsageException("serve.auth must be none or password, got '" + serve.auth() + "'");
        }
    }

    private static Path passwordFile(PartnermixConfig.Serve serve) {
        if (serve.passwordFile() == null || serve.passwordFile().isBlank()) {
            throw new Args.UsageException("serve.password_file is empty: name the file that holds the users");
        }
        return Path.of(serve.passwordFile()).toAbsolutePath();
    }

    /** {@code serve --add-user NAME}: the password is the first line of standard input (or asked on a terminal). */
    static int addUser(PartnermixConfig.Serve serve, String user) throws IOException {
        Path file = passwordFile(serve);
        char[] password;
        java.io.Console console = System.console();
        if (console != null) {
            password = console.readPassword("password for %s: ", user);
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        try {
            PasswordFile.put(file, user, password == null ? new char[0] : password);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
        System.out.println("serve: user " + user + " can log in (" + file + "; a running server reads it at each login)");
        return 0;
    }

    static String catalogDir(PartnermixConfig config) {
        String dir = config.serve().catalogDir();
        return dir == null || dir.isBlank() ? config.paths().warehouse() + "/_catalog" : dir;
    }

    /** Hive support with the metastore, scratch and log folders under the catalog folder (not the working directory). */
    static Map<String, String> sessionSettings(PartnermixConfig.Serve serve, String catalogDir) {
        String dir = Path.of(catalogDir).toAbsolutePath().toString();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spark.sql.catalogImplementation", "hive");
        s.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension," + ReadOnlyExtension.class.getName());
        s.put("spark.sql.warehouse.dir", dir + "/warehouse");
        s.put("spark.hadoop.javax.jdo.option.ConnectionURL", "jdbc:derby:;databaseName=" + dir + "/metastore_db;create=true");
        s.put("spark.hadoop.hive.exec.local.scratchdir", dir + "/scratch");
        s.put("spark.hadoop.hive.downloaded.resources.dir", dir + "/resources");
        s.put("spark.hadoop.hive.server2.logging.operation.log.location", dir + "/operation_logs");
        s.put("spark.hadoop.hive.server2.thrift.port", Integer.toString(serve.port()));
        s.put("spark.hadoop.hive.server2.transport.mode", "binary");
        // password: Hive's CUSTOM authentication (SASL PLAIN) with PasswordFileAuthenticator; none: any user name.
        s.put("spark.hadoop.hive.server2.authentication",
                "password".equalsIgnoreCase(String.valueOf(serve.auth()).strip()) ? "CUSTOM" : "NONE");
        s.put("spark.hadoop.hive.server2.enable.doAs", "false");
        // ${env:...}, ${system:...}, ${spark:...} in a statement or a session setting stay text: they would read
        // the server's secrets (the PII salt). SET cannot turn these back on (ReadOnlyExtension).
        s.put("spark.sql.variable.substitute", "false");
        s.put("spark.hadoop.hive.variable.substitute", "false");
        // One Spark session per JDBC connection (its own USE and SET), all on the one published catalog.
        s.put("spark.sql.hive.thriftServer.singleSession", "false");
        return s;
    }

    private static void log(String line) {
        System.out.println("serve " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + ": " + line);
    }
}
