package com.partnermix.generate;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;

/**
 * The Spark side of the generator: simulates the persons of one partition, one at a time, and
 * streams their lines as (feed, dt, seq, line). seq numbers lines in the order they were made, so
 * sorting by (feed, dt, seq) is deterministic. At the end of the partition it emits the task's
 * expected incremental orders per (date, region, source): bounded by days x regions x sources.
 */
final class SimulatePartition implements MapPartitionsFunction<Long, Tuple4<String, String, Long, String>> {

    private static final long serialVersionUID = 1L;

    private final TrueModel model;
    private final LongAccumulator persons;
    private final LongAccumulator touchLines;
    private final LongAccumulator orderLines;
    private final LongAccumulator orders;

    SimulatePartition(TrueModel model, LongAccumulator persons, LongAccumulator touchLines, LongAccumulator orderLines,
                      LongAccumulator orders) {
        this.model = model;
        this.persons = persons;
        this.touchLines = touchLines;
        this.orderLines = orderLines;
        this.orders = orders;
    }

    @Override
    public Iterator<Tuple4<String, String, Long, String>> call(Iterator<Long> ids) {
        PersonSimulator simulator = new PersonSimulator(model);
        ArrayDeque<Tuple4<String, String, Long, String>> buffer = new ArrayDeque<>();
        long[] seq = {0};
        Delivery.Sink sink = (feed, dt, line) -> buffer.add(new Tuple4<>(feed, dt, seq[0]++, line));
        return new Iterator<>() {
            private boolean flushed;

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty()) {
                    if (ids.hasNext()) {
                        simulator.simulate(ids.next(), sink);
                        persons.add(1);
                    } else if (!flushed) {
                        flushed = true;
                        emitContributions(simulator, sink);
                        orders.add(simulator.ordersPlaced);
                    } else {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Tuple4<String, String, Long, String> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Tuple4<String, String, Long, String> t = buffer.poll();
                if (t._1().equals(Delivery.TOUCHPOINTS)) {
                    touchLines.add(1);
                } else if (t._1().equals(Delivery.ORDERS)) {
                    orderLines.add(1);
                }
                return t;
            }
        };
    }

    private void emitContributions(PersonSimulator simulator, Delivery.Sink sink) {
        double[][][] c = simulator.contributions;
        for (int d = 0; d < c.length; d++) {
            for (int r = 0; r < c[d].length; r++) {
                for (int k = 0; k <= TrueModel.N_SOURCES; k++) {
                    if (c[d][r][k] == 0) {
                        continue;
                    }
                    String channel = k == TrueModel.N_SOURCES ? "baseline" : TrueModel.channelOf(k);
                    String key = k == TrueModel.N_SOURCES ? "baseline" : TrueModel.sourceName(k);
                    sink.line(Delivery.TRUTH_MEDIA, Delivery.ALL, String.join(",", model.dates[d], Geo.REGIONS[r],
                            channel, key, String.format(Locale.ROOT, "%.17g", c[d][r][k])));
                }
            }
        }
        if (model.options.liftTests().isEmpty()) {
            return;
        }
        for (int d = model.options.liftTestStart(); d < c.length; d++) {
            for (int k = 0; k < TrueModel.N_SOURCES; k++) {
                sink.line(Delivery.TRUTH_LIFT, Delivery.ALL, String.join(",", model.dates[d], TrueModel.sourceName(k),
                        String.format(Locale.ROOT, "%.17g", simulator.liftOrders[d][k]),
                        Long.toString(simulator.liftClicks[d][k]), Long.toString(simulator.liftImpressions[d][k])));
            }
        }
    }
}
