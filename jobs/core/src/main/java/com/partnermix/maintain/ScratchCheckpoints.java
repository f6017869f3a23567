package com.partnermix.maintain;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Scratch checkpoints of runs that did not finish. Jobs checkpoint under {@code paths.checkpoints/<stage>/<date>}
 * ({@code identity/2026-11-20}, {@code fraud/2026-11-20}); journeys deletes its folder when it succeeds, a crashed
 * or killed run leaves it behind. A run folder is deleted when nothing in it changed for the configured age, which
 * spares a run still writing its checkpoints (a backfill of an old date included: the age is the files', not the
 * folder name's date).
 */
final class ScratchCheckpoints {

    private ScratchCheckpoints() {}

    /** One deleted run folder. */
    record Removed(String folder, long files, long bytes) {}

    static List<Removed> clean(Configuration hadoop, String root, Instant now, long maxAgeHours) {
        List<Removed> removed = new ArrayList<>();
        Path rootPath = new Path(root);
        try {
            FileSystem fs = rootPath.getFileSystem(hadoop);
            if (!fs.exists(rootPath)) {
                return removed;
            }
            long before = now.toEpochMilli() - maxAgeHours * Retention.HOUR_MS;
            for (FileStatus stage : fs.listStatus(rootPath)) {
                if (!stage.isDirectory()) {
                    continue;
                }
                for (FileStatus run : fs.listStatus(stage.getPath())) {
                    // The newest file tells whether a run still writes; a folder left empty counts by its own time.
                    long newest = Long.MIN_VALUE;
                    long files = 0;
                    long bytes = 0;
                    if (run.isDirectory()) {
                        RemoteIterator<LocatedFileStatus> it = fs.listFiles(run.getPath(), true);
                        while (it.hasNext()) {
                            LocatedFileStatus f = it.next();
                            newest = Math.max(newest, f.getModificationTime());
                            files++;
                            bytes += f.getLen();
                        }
                        if (files == 0) {
                            newest = run.getModificationTime();
                        }
                    } else {
                        newest = run.getModificationTime();
                        files = 1;
                        bytes = run.getLen();
                    }
                    if (newest < before && fs.delete(run.getPath(), true)) {
                        removed.add(new Removed(stage.getPath().getName() + "/" + run.getPath().getName(), files,
                                bytes));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean scratch checkpoints under " + root, e);
        }
        return removed;
    }
}
