package com.partnermix.common;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs independent steps (writes of different tables) side by side, so that Spark overlaps
 * their many small jobs and Delta commits. The first failure is rethrown once all have ended.
 */
public final class Parallel {

    private Parallel() {}

    public static void run(List<Runnable> steps) {
        run(steps, steps.size());
    }

    /** At most {@code threads} steps at a time, started in list order. */
    public static void run(List<Runnable> steps, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, steps.size())));
        try {
            List<Future<?>> futures = steps.stream().map(pool::submit).toList();
            RuntimeException first = null;
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException runtime ? runtime
                                : new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
