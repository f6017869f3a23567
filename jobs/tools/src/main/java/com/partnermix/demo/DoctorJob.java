package com.partnermix.demo;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Checks that this installation works: Spark starts, Delta resolves as a data source
 * (the shaded jar keeps its service registration), a Delta table can be written, read and
 * time-travelled. Writes only to a temporary folder.
 */
public final class DoctorJob implements Job {

    @Override
    public String name() {
        return "doctor";
    }

    @Override
    public String summary() {
        return "check the installation: Spark, Delta as a data source, a Delta write/read round trip";
    }

    @Override
    public int run(JobContext context) throws Exception {
        Path dir = Files.createTempDirectory("partnermix-doctor");
        try {
            String path = dir.resolve("roundtrip").toString();
            var spark = context.spark();
            System.out.println("Spark " + spark.version() + " master=" + spark.sparkContext().master());
            spark.range(5).toDF("n").write().format("delta").mode(SaveMode.Overwrite).save(path);
            spark.range(7).toDF("n").write().format("delta").mode(SaveMode.Overwrite).save(path);
            Dataset<Row> current = spark.read().format("delta").load(path);
            Dataset<Row> first = spark.read().format("delta").option("versionAsOf", 0).load(path);
            long now = current.count();
            long before = first.count();
            boolean ok = now == 7 && before == 5;
            System.out.println("delta round trip: version 0 has " + before + " rows, version 1 has " + now
                    + " rows -> " + (ok ? "OK" : "WRONG"));
            return ok ? 0 : 1;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
