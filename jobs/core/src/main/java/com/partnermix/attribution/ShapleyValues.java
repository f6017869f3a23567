package com.partnermix.attribution;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Shapley values over the players (channels or partner types) present in journeys.
 *
 * <h2>Characteristic function</h2>
 * v(S) = conversions(S) / journeys(S), the conversion rate of the journeys exposed to exactly the
 * players S, for a coalition observed in the data; v(S) = 0 for an unobserved coalition and for the
 * empty set. This is the conditional-probability formulation of Shao &amp; Li (2011): it uses the
 * non-converting journeys too, so a player that is everywhere but converts nothing earns nothing
 * (its values are then zero or negative), unlike a formulation that counts conversions only.
 *
 * <h2>Computation</h2>
 * Because v is zero outside the observed coalitions, the Shapley sum is evaluated exactly by
 * iterating over the observed coalitions only: for n players, an observed coalition T (|T| = s) adds
 * v(T) (s-1)!(n-s)!/n! = v(T) / (s C(n,s)) to every player in T (its marginal term as the last
 * member to join) and subtracts v(T) s!(n-s-1)!/n! = v(T) / ((n-s) C(n,s)) from every player outside
 * T (its term as the coalition a newcomer joins). That is O(#coalitions * n) for any n; the binomials
 * are built by an incremental product in double, mirrored at n/2, so hundreds of players do not
 * overflow (beyond ~1000 players the middle binomials reach infinity, where the true weights are
 * below 1e-300 and 0 is correct to double precision).
 *
 * <p>Efficiency: the values sum to v(all players) - v(empty) = v(all players), which is 0 when no
 * journey saw every player.
 */
public final class ShapleyValues {

    /** Largest player count {@link #bruteForce(List)} accepts (2^n subsets). */
    static final int BRUTE_FORCE_LIMIT = 20;

    /** Lexicographic on sorted members, a prefix before its extensions. */
    private static final Comparator<SortedSet<String>> SET_ORDER = (a, b) -> {
        Iterator<String> ia = a.iterator();
        Iterator<String> ib = b.iterator();
        while (ia.hasNext() && ib.hasNext()) {
            int c = ia.next().compareTo(ib.next());
            if (c != 0) {
                return c;
            }
        }
        return Boolean.compare(ia.hasNext(), ib.hasNext());
    };

    private ShapleyValues() {}

    /** Journeys whose set of distinct players is exactly {@code players}, and how many converted. */
    public record Coalition(Set<String> players, long journeys, long conversions) {
        public Coalition {
            Objects.requireNonNull(players, "players");
            players = Collections.unmodifiableSortedSet(new TreeSet<>(players)); // rejects null players
            if (journeys < 0) {
                throw new IllegalArgumentException("journeys must be >= 0: " + journeys);
            }
            if (conversions < 0 || conversions > journeys) {
                throw new IllegalArgumentException("conversions must be in 0.." + journeys + ": " + conversions);
            }
        }
    }

    /** Player -> Shapley value (may be negative), sorted by player. */
    public static Map<String, Double> compute(List<Coalition> coalitions) {
        Game game = Game.of(coalitions);
        int n = game.players.size();
        double[] binom = binomials(n);
        double[] phi = new double[n];
        for (int c = 0; c < game.members.size(); c++) {
            boolean[] in = game.members.get(c);
            double v = game.values.get(c);
            int s = game.sizes.get(c);
            double gain = v / (s * binom[s]);                          // (s-1)!(n-s)!/n!
            double loss = s < n ? v / ((n - s) * binom[s]) : 0.0;      // s!(n-s-1)!/n!
            for (int i = 0; i < n; i++) {
                phi[i] += in[i] ? gain : -loss;
            }
        }
        return game.toMap(phi);
    }

    /** Textbook formula over all 2^n subsets; for cross-checking, n <= {@link #BRUTE_FORCE_LIMIT}. */
    static Map<String, Double> bruteForce(List<Coalition> coalitions) {
        Game game = Game.of(coalitions);
        int n = game.players.size();
        if (n > BRUTE_FORCE_LIMIT) {
            throw new IllegalArgumentException("brute force needs <= " + BRUTE_FORCE_LIMIT + " players: " + n);
        }
        double[] v = new double[1 << n];
        for (int c = 0; c < game.members.size(); c++) {
            boolean[] in = game.members.get(c);
            int mask = 0;
            for (int i = 0; i < n; i++) {
                if (in[i]) {
                    mask |= 1 << i;
                }
            }
            v[mask] = game.values.get(c);
        }
        double[] factorial = new double[n + 1];
        factorial[0] = 1.0;
        for (int i = 1; i <= n; i++) {
            factorial[i] = factorial[i - 1] * i;
        }
        double[] phi = new double[n];
        for (int i = 0; i < n; i++) {
            int bit = 1 << i;
            for (int mask = 0; mask < (1 << n); mask++) {
                if ((mask & bit) != 0) {
                    continue;
                }
                int s = Integer.bitCount(mask);
                double weight = factorial[s] * factorial[n - s - 1] / factorial[n];
                phi[i] += weight * (v[mask | bit] - v[mask]);
            }
        }
        return game.toMap(phi);
    }

    /** C(n, s) for s = 0..n, by an incremental product up to n/2 and symmetry above. */
    private static double[] binomials(int n) {
        double[] binom = new double[n + 1];
        binom[0] = 1.0;
        for (int s = 1; s <= n / 2; s++) {
            binom[s] = binom[s - 1] * (n - s + 1) / s;
        }
        for (int s = n / 2 + 1; s <= n; s++) {
            binom[s] = binom[n - s];
        }
        return binom;
    }

    /** Merged observed coalitions with their values, players indexed in sorted order. */
    private static final class Game {
        final List<String> players;
        final List<boolean[]> members = new ArrayList<>();
        final List<Double> values = new ArrayList<>();
        final List<Integer> sizes = new ArrayList<>();

        private Game(List<String> players) {
            this.players = players;
        }

        static Game of(List<Coalition> coalitions) {
            Objects.requireNonNull(coalitions, "coalitions");
            // Merge duplicates; sorted keys make the summation order independent of the input order.
            TreeMap<SortedSet<String>, long[]> merged = new TreeMap<>(SET_ORDER);
            TreeSet<String> allPlayers = new TreeSet<>();
            for (Coalition c : coalitions) {
                SortedSet<String> key = (SortedSet<String>) c.players();
                allPlayers.addAll(key);
                long[] counts = merged.computeIfAbsent(key, k -> new long[2]);
                counts[0] += c.journeys();
                counts[1] += c.conversions();
            }
            List<String> players = List.copyOf(allPlayers);
            Map<String, Integer> index = new TreeMap<>();
            for (int i = 0; i < players.size(); i++) {
                index.put(players.get(i), i);
            }
            Game game = new Game(players);
            for (Map.Entry<SortedSet<String>, long[]> e : merged.entrySet()) {
                long journeys = e.getValue()[0];
                if (e.getKey().isEmpty() || journeys == 0) {
                    continue; // v(empty) = 0; no journeys = unobserved
                }
                boolean[] in = new boolean[players.size()];
                for (String p : e.getKey()) {
                    in[index.get(p)] = true;
                }
                game.members.add(in);
                game.values.add((double) e.getValue()[1] / journeys);
                game.sizes.add(e.getKey().size());
            }
            return game;
        }

        Map<String, Double> toMap(double[] phi) {
            Map<String, Double> out = new TreeMap<>();
            for (int i = 0; i < phi.length; i++) {
                out.put(players.get(i), phi[i]);
            }
            return Collections.unmodifiableMap(out);
        }
    }
}
