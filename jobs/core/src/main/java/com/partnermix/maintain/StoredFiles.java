package com.partnermix.maintain;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The data files of a table folder on storage (what VACUUM lists): relative path -> size and modification time.
 * The transaction log ({@code _delta_log}) and other hidden folders are not data.
 */
record StoredFiles(Map<String, Stored> files) {

    record Stored(long bytes, long modified) {}

    static StoredFiles list(SparkSession spark, String tablePath) {
        Path root = new Path(tablePath);
        Map<String, Stored> files = new HashMap<>();
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            String base = fs.makeQualified(root).toUri().getPath();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                String relative = f.getPath().toUri().getPath().substring(base.length() + 1);
                if (!hidden(relative)) {
                    files.put(relative, new Stored(f.getLen(), f.getModificationTime()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + tablePath, e);
        }
        return new StoredFiles(files);
    }

    /** Hidden the way Delta means it: a path element starting with '_' or '.' (a partition folder has '=' in it). */
    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) {
            if ((part.startsWith("_") || part.startsWith(".")) && !part.contains("=")) {
                return true;
            }
        }
        return false;
    }

    long bytes() {
        return files.values().stream().mapToLong(Stored::bytes).sum();
    }

    /** Files of this listing that {@code after} no longer has. */
    StoredFiles removedBy(StoredFiles after) {
        Map<String, Stored> gone = new HashMap<>(files);
        gone.keySet().removeAll(after.files.keySet());
        return new StoredFiles(gone);
    }
}
