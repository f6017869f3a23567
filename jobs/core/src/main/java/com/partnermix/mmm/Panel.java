package com.partnermix.mmm;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregated daily panel the media mix model is fitted on: per region and day, each channel's
 * activity (the media variable), clicks, impressions and cost in USD, and the targets (orders,
 * revenue in USD). Bounded by days x regions x channels, so it lives on the driver and is
 * broadcast to the candidate fits. Arrays are indexed {@code [channel][region][day]} and
 * {@code [region][day]}; day 0 is {@code firstDate}.
 */
public final class Panel implements Serializable {

    private static final long serialVersionUID = 1L;

    public final LocalDate firstDate;
    public final int days;
    public final String[] regions;
    public final String[] channels;
    public final double[][][] activity;
    public final double[][][] clicks;
    public final double[][][] impressions;
    public final double[][][] cost;
    public final double[][] orders;
    public final double[][] revenue;
    /** Lift tests of the panel's channels within its days: priors of the fit ({@link MediaMixModel}). */
    public final List<LiftTest> liftTests = new ArrayList<>();

    /**
     * A lift test as the panel sees it: the incremental orders the channel's whole activity added over the test's
     * days (from {@code firstDay} to {@code lastDay}), with its standard error.
     */
    public record LiftTest(String name, int channel, int firstDay, int lastDay, double orders, double standardError)
            implements Serializable {}

    public Panel(LocalDate firstDate, int days, String[] regions, String[] channels) {
        this.firstDate = firstDate;
        this.days = days;
        this.regions = regions.clone();
        this.channels = channels.clone();
        int c = channels.length;
        int r = regions.length;
        activity = new double[c][r][days];
        clicks = new double[c][r][days];
        impressions = new double[c][r][days];
        cost = new double[c][r][days];
        orders = new double[r][days];
        revenue = new double[r][days];
    }

    public LocalDate date(int day) {
        return firstDate.plusDays(day);
    }

    public LocalDate lastDate() {
        return date(days - 1);
    }

    /** Region-days: the observations of the regression. */
    public int observations() {
        return regions.length * days;
    }

    public int channelIndex(String channel) {
        for (int k = 0; k < channels.length; k++) {
            if (channels[k].equals(channel)) {
                return k;
            }
        }
        return -1;
    }

    public int regionIndex(String region) {
        for (int r = 0; r < regions.length; r++) {
            if (regions[r].equals(region)) {
                return r;
            }
        }
        return -1;
    }

    public double totalOrders() {
        double s = 0;
        for (double[] row : orders) {
            for (double v : row) {
                s += v;
            }
        }
        return s;
    }
}
