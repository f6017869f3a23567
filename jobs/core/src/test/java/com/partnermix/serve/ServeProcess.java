package com.partnermix.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** {@code partnermix serve} in a JVM of its own, as a service runs it, with the environment the test gives it. */
final class ServeProcess {

    final Process process;
    final int port;
    private final StringBuffer output;

    private ServeProcess(Process process, int port, StringBuffer output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Attempts at a free port: another process may take the one chosen before serve binds it. */
    private static final int PORT_ATTEMPTS = 3;

    /**
     * Starts serve over {@code warehouse} and returns once it prints {@code SQL endpoint ready: <url>}. The port is
     * free when chosen, but serve binds it only after its Spark session is up (seconds later), and Spark processes
     * of other tests take ports from the same range meanwhile: a start that could not bind is tried on a new port.
     */
    static ServeProcess start(String warehouse, Map<String, String> environment, List<String> overrides)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            ServeProcess server = startOnce(warehouse, environment, overrides);
            boolean portTaken = !server.process.isAlive()
                    && server.output().contains("Could not create ServerSocket on address");
            if (!portTaken) {
                server.awaitReady();
                return server;
            }
            if (attempt == PORT_ATTEMPTS) {
                fail("serve could not bind a free port in " + PORT_ATTEMPTS + " attempts:\n" + server.output());
            }
        }
    }

    /** Starts the process and waits until it is ready or has stopped. */
    private static ServeProcess startOnce(String warehouse, Map<String, String> environment, List<String> overrides)
            throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The test JVM's module openings (surefire argLine), which Spark needs on Java 17.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+Ignore") || a.startsWith("-Djdk.reflect"))
                .forEach(command::add);
        command.addAll(List.of("-Xmx1g", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "com.partnermix.cli.Main", "serve", "--conf", "conf/local.yaml",
                "--set", "paths.warehouse=" + warehouse,
                "--set", "serve.port=" + port,
                "--set", "serve.refresh_seconds=2",
                "--set", "spark.shuffle_partitions=1"));
        for (String override : overrides) {
            command.add("--set");
            command.add(override);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        StringBuffer output = new StringBuffer();
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the server stopped
            }
        });
        pump.setDaemon(true);
        pump.start();
        ServeProcess server = new ServeProcess(process, port, output);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!server.ready() && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (!server.ready()) {
            process.waitFor(2, TimeUnit.SECONDS);   // a failed bind ends the process: let it finish its output
        }
        return server;
    }

    private boolean ready() {
        return output.toString().contains("SQL endpoint ready: " + url(""));
    }

    private void awaitReady() {
        if (!ready()) {
            fail("serve did not start:\n" + output);
        }
    }

    /** @param suffix appended to {@code jdbc:hive2://127.0.0.1:<port>/gold} (session settings, ...) */
    String url(String suffix) {
        return "jdbc:hive2://127.0.0.1:" + port + "/gold" + suffix;
    }

    String output() {
        return output.toString();
    }

    void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();   // SIGTERM, as a service manager stops it
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Runs one statement on a new connection; rows as {@code a|b|c}. */
    static List<String> query(String url, String user, String password, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(rs.getString(i) == null ? "null" : rs.getString(i).strip());
                }
                rows.add(String.join("|", cells));
            }
        }
        return rows;
    }
}
