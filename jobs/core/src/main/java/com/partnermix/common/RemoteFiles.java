package com.partnermix.common;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Configuration files that live on a cluster's storage. A driver started by {@code spark-submit --deploy-mode
 * cluster} runs on some node of the cluster, where a path of the Airflow worker does not exist; such a deployment
 * keeps its configuration on the object store or HDFS ({@code --conf s3a://acme/partnermix/conf/cluster.yaml}) and
 * the driver copies that folder (the file and the ones it includes) to a local scratch folder first.
 */
public final class RemoteFiles {

    private RemoteFiles() {}

    /** A local path for {@code location}: the path itself when it is local, else a copy of its folder. */
    public static Path local(String location) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() == null || uri.getScheme().equals("file") || uri.getScheme().length() == 1) {
            return uri.getScheme() == null || uri.getScheme().length() == 1 ? Path.of(location) : Path.of(uri);
        }
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(location);
        try {
            FileSystem fs = remote.getFileSystem(new Configuration());   // the cluster's core-site.xml
            if (!fs.isFile(remote)) {
                throw new IllegalArgumentException("configuration file " + location + " does not exist");
            }
            Path scratch = Files.createTempDirectory("partnermix-conf");
            scratch.toFile().deleteOnExit();
            for (FileStatus sibling : fs.listStatus(remote.getParent())) {
                if (sibling.isFile()) {
                    Path target = scratch.resolve(sibling.getPath().getName());
                    try (InputStream in = fs.open(sibling.getPath())) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    target.toFile().deleteOnExit();
                }
            }
            return scratch.resolve(remote.getName());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read configuration " + location + ": " + e.getMessage(), e);
        }
    }
}
