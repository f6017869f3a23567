/**
 * {@code maintain --date D}: the weekly upkeep operations expect of a Delta warehouse, run by the DAG
 * {@code partnermix_maintain_weekly} after Sunday's night.
 *
 * <ul>
 *   <li>{@link com.partnermix.maintain.Layout}: OPTIMIZE per table, Z-ORDER BY the columns readers filter or join on
 *       ({@code Tables.ZORDER_BY}), compaction of small files elsewhere; only what changed since the last run is
 *       rewritten, so a rerun rewrites nothing.</li>
 *   <li>{@link com.partnermix.maintain.Retention}: the VACUUM retention that keeps every published version readable
 *       ({@link com.partnermix.maintain.PublishedVersions}) and every file removed within
 *       {@code maintain.retention_hours}.</li>
 *   <li>{@link com.partnermix.maintain.ScratchCheckpoints}: checkpoint folders left under {@code paths.checkpoints}
 *       by runs that crashed.</li>
 * </ul>
 *
 * <p>Reads {@code dq.publications}; rewrites the files of every table without changing a row ({@code dataChange =
 * false}) and deletes files no kept version needs. Entry point: {@link com.partnermix.maintain.MaintainJob}.
 */
package com.partnermix.maintain;
