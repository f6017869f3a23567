package com.partnermix.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs after {@code package}: the jars users actually run, not the test classpath. */
class ShadedJarIT {

    private static final Path ALL_JAR = Path.of(System.getProperty("partnermix.allJar", "target/partnermix-all.jar"));
    private static final Path CLUSTER_JAR =
            Path.of(System.getProperty("partnermix.clusterJar", "target/partnermix-cluster.jar"));

    @Test
    void deltaResolvesAsADataSourceInsideTheAllInJar() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g"));
        // Only the flag the manifest cannot carry: the --add-opens come from the jar's Add-Opens entry.
        command.add("-Djdk.reflect.useDirectMethodHandle=false");
        command.addAll(List.of("-jar", ALL_JAR.toString(), "doctor", "--set", "paths.warehouse=target/it-warehouse"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "doctor did not finish");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("delta round trip: version 0 has 5 rows, version 1 has 7 rows -> OK"), output);
    }

    /** The Hive metastore's DataNucleus cannot be merged into one jar: it sits in target/lib (see pom.xml). */
    @Test
    void serveStartsFromTheAllInJarWithItsDerbyCatalog() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path warehouse = java.nio.file.Files.createTempDirectory(Path.of("target"), "it-serve-warehouse");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djdk.reflect.useDirectMethodHandle=false", "-jar", ALL_JAR.toString(), "serve",
                "--set", "paths.warehouse=" + warehouse.toAbsolutePath(), "--set", "serve.port=" + port));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuffer output = new StringBuffer();
        Thread pump = new Thread(() -> {
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                lines.lines().forEach(line -> output.append(line).append('\n'));
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // the server stopped
            }
        });
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!output.toString().contains("SQL endpoint ready")) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, "serve did not start:\n" + output);
                Thread.sleep(200);
            }
            assertTrue(output.toString().contains("no publication in "), output.toString());
            List<String> databases = new ArrayList<>();
            try (var connection = java.sql.DriverManager.getConnection("jdbc:hive2://127.0.0.1:" + port + "/default");
                 var rows = connection.createStatement().executeQuery("SHOW DATABASES")) {
                while (rows.next()) {
                    databases.add(rows.getString(1));
                }
            }
            assertTrue(databases.containsAll(List.of("gold", "dq")), databases + "\n" + output);
        } finally {
            process.destroy();
            process.waitFor(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void theAllInJarStartsTheLauncherWithTheTools() throws IOException {
        try (JarFile jar = new JarFile(ALL_JAR.toFile())) {
            assertEquals("com.partnermix.tools.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertNotNull(jar.getEntry("com/partnermix/generate/GenerateJob.class"));
            assertNotNull(jar.getEntry("com/partnermix/cli/Main.class"));
        }
    }

    @Test
    void clusterJarBundlesDeltaAndDeequButNotSpark() throws IOException {
        try (JarFile jar = new JarFile(CLUSTER_JAR.toFile())) {
            assertNotNull(jar.getEntry("com/partnermix/cli/Main.class"));
            assertNotNull(jar.getEntry("io/delta/tables/DeltaTable.class"));
            assertNotNull(jar.getEntry("com/amazon/deequ/VerificationSuite.class"));
            assertNull(jar.getEntry("org/apache/spark/SparkContext.class"), "Spark must come from the cluster");
            assertNull(jar.getEntry("scala/Option.class"), "Scala must come from the cluster");
            // Production runs only the stages: the generator, demo, benchmarks and their launcher stay out.
            for (String tool : List.of("generate/GenerateJob", "demo/DemoJob", "bench/BenchJob", "tools/Main")) {
                assertNull(jar.getEntry("com/partnermix/" + tool + ".class"), tool + " must not ship to the cluster");
            }
            String services = new String(jar.getInputStream(
                    jar.getEntry("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertTrue(Arrays.asList(services.split("\\s+")).contains("org.apache.spark.sql.delta.sources.DeltaDataSource"),
                    services);
        }
    }
}
