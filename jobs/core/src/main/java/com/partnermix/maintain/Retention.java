package com.partnermix.maintain;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * The retention passed to VACUUM so that the versions to keep stay readable.
 *
 * <p>How Delta's VACUUM decides (Delta 3.3, {@code VacuumCommand.gc}): with a retention of R hours it takes the
 * horizon {@code now - R} and deletes every file under the table folder that the current version does not use and
 * that is older than the horizon by its storage modification time, except files whose removal (the
 * {@code deletionTimestamp} of their tombstone, still in the table state) is at or after the horizon. Tombstones
 * themselves leave the state {@code delta.deletedFileRetentionDuration} after the removal; from then on only the
 * file's modification time protects it. A version stays readable only while every file of it is on storage, so
 * each file of a kept version that a later commit removed must have a modification time or a tombstone at or after
 * the horizon: the horizon goes back to the oldest of those "keep times". R is then rounded up to whole hours (VACUUM
 * rounds fractional hours) plus one hour of margin for the clock moving on between this computation and VACUUM's own.
 * A version younger than the configured minimum is protected by the minimum itself: nothing removed within it is
 * deleted. The log files are not VACUUM's: Delta drops commits older than {@code delta.logRetentionDuration} at a
 * checkpoint, after which a version cannot be reconstructed whatever files remain.
 */
public final class Retention {

    private Retention() {}

    static final long HOUR_MS = Duration.ofHours(1).toMillis();

    /**
     * @param now        the time the retention is computed at
     * @param floorHours the minimum retention ({@code maintain.retention_hours})
     * @param keepTimes  per file of a kept version that the current version no longer uses: the later of its
     *                   modification time and its tombstone's deletion time (epoch milliseconds)
     * @return whole hours for VACUUM
     */
    public static long hours(Instant now, long floorHours, Collection<Long> keepTimes) {
        long oldest = keepTimes.stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
        if (oldest == Long.MAX_VALUE) {
            return floorHours;
        }
        long age = Math.max(0, now.toEpochMilli() - oldest);
        long covering = (age + HOUR_MS - 1) / HOUR_MS + 1;
        return Math.max(floorHours, covering);
    }

    /** Whole hours of a duration in milliseconds, rounded up. */
    static long ceilHours(long millis) {
        return (Math.max(0, millis) + HOUR_MS - 1) / HOUR_MS;
    }
}
