package com.partnermix.maintain;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;

import java.time.Instant;

/**
 * {@code maintain --date D}: OPTIMIZE and VACUUM every table, keeping the published versions readable, and delete
 * the scratch checkpoints of crashed runs (settings: {@code maintain:} in conf/local.yaml or the cluster configuration; the Z-orders:
 * {@code Tables.ZORDER_BY}). The date names the
 * run (the weekly DAG passes its Sunday); what is old enough to delete is measured on the clock, as Delta's VACUUM
 * measures it.
 */
public final class MaintainJob implements Job {

    @Override
    public String name() {
        return "maintain";
    }

    @Override
    public String summary() {
        return "weekly upkeep: OPTIMIZE (Z-order) and VACUUM every table, keeping published versions; old scratch "
                + "checkpoints";
    }

    @Override
    public int run(JobContext context) {
        System.out.print(Maintenance.run(context.warehouse(), context.config(), context.date(), Instant.now()).format());
        return 0;
    }
}
