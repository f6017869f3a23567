package com.partnermix.mmm;

/**
 * Ridge regression with sign constraints, solved by projected coordinate descent on the normal
 * equations: minimise {@code (1/n) |y - X b|^2 + lambda * sum_{j penalised} b_j^2} subject to
 * {@code b_j >= 0} for the constrained columns (the media coefficients: media cannot lower
 * orders). The objective is convex and each coordinate step solves its one-dimensional problem
 * exactly (clipped at 0), so the sweeps converge to the constrained optimum.
 *
 * <p>Works on the Gram matrix {@code G = X'X / n} and {@code c = X'y / n}, so one fit costs
 * O(n p^2) to build and O(p^2) per sweep: p is a few dozen here.
 */
public final class Ridge {

    private Ridge() {}

    /** Gram matrix X'X/n and X'y/n over the rows where {@code use[i]} (all rows when null). */
    public static double[][] gram(double[][] x, boolean[] use) {
        int p = x[0].length;
        double[][] g = new double[p][p];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (use != null && !use[i]) {
                continue;
            }
            n++;
            double[] row = x[i];
            for (int j = 0; j < p; j++) {
                double v = row[j];
                if (v == 0) {
                    continue;
                }
                double[] gj = g[j];
                for (int k = j; k < p; k++) {
                    gj[k] += v * row[k];
                }
            }
        }
        for (int j = 0; j < p; j++) {
            for (int k = j; k < p; k++) {
                g[j][k] /= Math.max(n, 1);
                g[k][j] = g[j][k];
            }
        }
        return g;
    }

    public static double[] xty(double[][] x, double[] y, boolean[] use) {
        int p = x[0].length;
        double[] c = new double[p];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (use != null && !use[i]) {
                continue;
            }
            n++;
            for (int j = 0; j < p; j++) {
                c[j] += x[i][j] * y[i];
            }
        }
        for (int j = 0; j < p; j++) {
            c[j] /= Math.max(n, 1);
        }
        return c;
    }

    /**
     * Solves the constrained ridge problem from its normal equations.
     *
     * <p>The unconstrained coefficients (intercepts, controls) are profiled out exactly with a
     * Cholesky solve, leaving a small problem over the constrained (media) coefficients only,
     * solved by projected coordinate descent; the controls then follow from the media. This keeps
     * the sweeps fast although intercepts and day-of-week dummies are strongly correlated.
     *
     * @param g           X'X / n (p x p)
     * @param c           X'y / n
     * @param lambda      ridge penalty
     * @param penalised   which coefficients carry the penalty (not the intercepts)
     * @param nonNegative which coefficients must be >= 0
     */
    public static double[] solve(double[][] g, double[] c, double lambda, boolean[] penalised, boolean[] nonNegative) {
        int p = c.length;
        int[] free = java.util.stream.IntStream.range(0, p).filter(j -> !nonNegative[j]).toArray();
        int[] cons = java.util.stream.IntStream.range(0, p).filter(j -> nonNegative[j]).toArray();
        double[][] a = new double[p][p];
        for (int j = 0; j < p; j++) {
            for (int k = 0; k < p; k++) {
                a[j][k] = g[j][k];
            }
            a[j][j] += penalised[j] ? lambda : 0;
        }
        int nf = free.length;
        int nc = cons.length;
        // A_ff^-1 [A_fc | c_f]
        double[][] aff = sub(a, free, free);
        double trace = 0;
        for (int j = 0; j < nf; j++) {
            trace += aff[j][j];
        }
        for (int j = 0; j < nf; j++) {
            aff[j][j] += 1e-12 * Math.max(trace / Math.max(nf, 1), 1e-300);   // an all-zero column stays solvable
        }
        double[][] rhs = new double[nf][nc + 1];
        for (int j = 0; j < nf; j++) {
            for (int k = 0; k < nc; k++) {
                rhs[j][k] = a[free[j]][cons[k]];
            }
            rhs[j][nc] = c[free[j]];
        }
        double[][] sol = nf == 0 ? rhs : choleskySolve(aff, rhs);
        // Schur complement over the constrained coefficients: S = A_cc - A_cf A_ff^-1 A_fc, s = c_c - A_cf A_ff^-1 c_f
        double[][] s = new double[nc][nc];
        double[] sc = new double[nc];
        for (int j = 0; j < nc; j++) {
            for (int k = 0; k < nc; k++) {
                double v = a[cons[j]][cons[k]];
                for (int f = 0; f < nf; f++) {
                    v -= a[cons[j]][free[f]] * sol[f][k];
                }
                s[j][k] = v;
            }
            double v = c[cons[j]];
            for (int f = 0; f < nf; f++) {
                v -= a[cons[j]][free[f]] * sol[f][nc];
            }
            sc[j] = v;
        }
        double[] bc = nonNegativeCoordinateDescent(s, sc);
        double[] b = new double[p];
        for (int k = 0; k < nc; k++) {
            b[cons[k]] = bc[k];
        }
        for (int f = 0; f < nf; f++) {
            double v = sol[f][nc];
            for (int k = 0; k < nc; k++) {
                v -= sol[f][k] * bc[k];
            }
            b[free[f]] = v;
        }
        return b;
    }

    /** min b'Sb - 2 s'b subject to b >= 0, S positive semi-definite: exact coordinate steps clipped at 0. */
    static double[] nonNegativeCoordinateDescent(double[][] s, double[] c) {
        int p = c.length;
        double[] b = new double[p];
        double[] r = c.clone();   // r = c - S b
        double scale = 0;
        for (double v : c) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tolerance = 1e-14 * Math.max(scale, 1e-300);
        for (int sweep = 0; sweep < 200_000; sweep++) {
            double maxStep = 0;
            for (int j = 0; j < p; j++) {
                if (s[j][j] <= 1e-300) {
                    continue;   // an all-zero column: its coefficient stays 0
                }
                double target = Math.max(0, b[j] + r[j] / s[j][j]);
                double step = target - b[j];
                if (step != 0) {
                    b[j] = target;
                    for (int k = 0; k < p; k++) {
                        r[k] -= s[k][j] * step;
                    }
                    maxStep = Math.max(maxStep, Math.abs(step) * s[j][j]);
                }
            }
            if (maxStep <= tolerance) {
                break;
            }
        }
        return b;
    }

    private static double[][] sub(double[][] a, int[] rows, int[] cols) {
        double[][] out = new double[rows.length][cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                out[i][j] = a[rows[i]][cols[j]];
            }
        }
        return out;
    }

    /** Solves A X = B for symmetric positive definite A (Cholesky A = L L'). */
    static double[][] choleskySolve(double[][] a, double[][] bMatrix) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = a[i][j];
                for (int k = 0; k < j; k++) {
                    v -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (v <= 0) {
                        throw new IllegalArgumentException("ridge: the control block is not positive definite "
                                + "(a control or region without any observation?)");
                    }
                    l[i][i] = Math.sqrt(v);
                } else {
                    l[i][j] = v / l[j][j];
                }
            }
        }
        int m = bMatrix[0].length;
        double[][] x = new double[n][m];
        for (int col = 0; col < m; col++) {
            double[] z = new double[n];
            for (int i = 0; i < n; i++) {
                double v = bMatrix[i][col];
                for (int k = 0; k < i; k++) {
                    v -= l[i][k] * z[k];
                }
                z[i] = v / l[i][i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double v = z[i];
                for (int k = i + 1; k < n; k++) {
                    v -= l[k][i] * x[k][col];
                }
                x[i][col] = v / l[i][i];
            }
        }
        return x;
    }
}
