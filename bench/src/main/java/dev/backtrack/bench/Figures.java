package dev.backtrack.bench;

import java.util.List;
import java.util.Locale;

/**
 * Figures as every part prints them: seconds since a start, rounded, with thousands separators, as ratios, in markdown
 * tables.
 */
final class Figures {
    private Figures() {}

    /** Rows of four cells as a markdown table, the first row its header. */
    static String table(List<String[]> rows) {
        int[] w = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < rows.size(); j++) {
            String[] r = rows.get(j);
            s.append(String.format(
                    Locale.ROOT,
                    "| %-" + w[0] + "s | %-" + w[1] + "s | %-" + w[2] + "s | %-" + w[3] + "s |%n",
                    (Object[]) r));
            if (j == 0) {
                s.append("|")
                        .append("-".repeat(w[0] + 2))
                        .append("|")
                        .append("-".repeat(w[1] + 2))
                        .append("|")
                        .append("-".repeat(w[2] + 2))
                        .append("|")
                        .append("-".repeat(w[3] + 2))
                        .append("|\n");
            }
        }
        return s.toString();
    }

    static String ratio(Object a, Object b, String unit) {
        if (!(a instanceof Number x) || !(b instanceof Number y) || y.doubleValue() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f%s", x.doubleValue() / y.doubleValue(), unit);
    }

    static String fmt(Object n) {
        return n instanceof Number x ? String.format(Locale.ROOT, "%,d", x.longValue()) : String.valueOf(n);
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double round(double d, int places) {
        double f = Math.pow(10, places);
        return Math.round(d * f) / f;
    }
}
