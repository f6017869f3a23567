package com.partnermix.serve;

import com.partnermix.cli.Job;
import com.partnermix.cli.JobContext;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.SparkSessions;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;

import java.nio.file.Path;
import java.time.LocalTime;
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
 * publication every {@code serve.refresh_seconds}, refuses writes, and runs until stopped (Ctrl-C, SIGTERM).
 */
public final class ServeJob implements Job {

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "SQL endpoint for BI tools (JDBC/ODBC, HiveServer2 protocol) over the published gold tables; runs until stopped";
    }

    @Override
    public int run(JobContext context) throws Exception {
        PartnermixConfig config = context.config();
        PartnermixConfig.Serve serve = config.serve();
        String catalogDir = catalogDir(config);
        // Hive cleans its pipe-out files in the scratch folder at each JDBC session end: missing, it logs an ERROR.
        java.nio.file.Files.createDirectories(Path.of(catalogDir, "scratch"));
        // Derby writes derby.log to the working directory unless told otherwise.
        System.setProperty("derby.stream.error.file", Path.of(catalogDir, "derby.log").toAbsolutePath().toString());
        SparkSession spark = SparkSessions.create(config, sessionSettings(serve, catalogDir));
        ReadOnlyExtension.allowWrites(spark);
        Warehouse wh = new Warehouse(spark, config.paths().warehouse());
        PublishedCatalog catalog = new PublishedCatalog(wh, CatalogDocs.load(Path.of(serve.docs())));
        log(catalog.refresh());

        HiveThriftServer2 server = HiveThriftServer2.startWithContext(spark.sqlContext());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("stopping the SQL endpoint");
            server.stop();
            stopped.countDown();
        }, "partnermix-serve-stop"));
        log("SQL endpoint ready: jdbc:hive2://" + serve.host() + ":" + serve.port() + "/gold (read-only; "
                + "looks for a new publication every " + serve.refreshSeconds() + " s; Ctrl-C stops it)");

        // A failed refresh keeps the previous publication served: BI keeps working on checked data.
        while (!stopped.await(serve.refreshSeconds(), TimeUnit.SECONDS)) {
            try {
                String change = catalog.refresh();
                if (change != null) {
                    log(change);
                }
            } catch (Exception e) {   // Spark's AnalysisException is checked: catch it too, never end the loop
                log("refresh failed, still serving the previous publication: " + e);
            }
        }
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
        s.put("spark.hadoop.hive.server2.thrift.bind.host", serve.host());
        s.put("spark.hadoop.hive.server2.thrift.port", Integer.toString(serve.port()));
        s.put("spark.hadoop.hive.server2.transport.mode", "binary");
        // One Spark session per JDBC connection (its own USE and SET), all on the one published catalog.
        s.put("spark.sql.hive.thriftServer.singleSession", "false");
        return s;
    }

    private static void log(String line) {
        System.out.println("serve " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + ": " + line);
    }
}
