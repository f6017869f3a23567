package com.partnermix.pipeline;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;

import java.time.LocalDate;

/** One step of the nightly run for a date, as the demo and the benchmark call it in one JVM. */
public interface Stage {

    String name();

    Result run(Warehouse wh, PartnermixConfig config, LocalDate date);

    /** Rows read and written, for the benchmark table; {@code summary} is a short human line. */
    record Result(long rowsIn, long rowsOut, String summary) {}
}
