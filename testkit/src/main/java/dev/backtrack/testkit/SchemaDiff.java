package dev.backtrack.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The readable difference of two schema dumps ({@link DumpedSchema}, {@link MariaDbDumpedSchema}), object by object.
 * Thread-safe (no state).
 */
final class SchemaDiff {
    private SchemaDiff() {}

    /** Each differing object under its header; for an object in both, only the lines that differ. */
    static String describe(DumpedSchema a, DumpedSchema b) {
        return describe(a.byHeader(), b.byHeader());
    }

    /** The same for any dump given as each object's statements under its header. */
    static String describe(Map<String, List<String>> left, Map<String, List<String>> right) {
        TreeSet<String> headers = new TreeSet<>(left.keySet());
        headers.addAll(right.keySet());
        StringBuilder out = new StringBuilder();
        int differing = 0;
        for (String h : headers) {
            List<String> l = left.get(h);
            List<String> r = right.get(h);
            if (l == null || r == null) {
                out.append("only in ")
                        .append(l == null ? "B" : "A")
                        .append(": ")
                        .append(h)
                        .append('\n');
                indent(out, "  ", lines(l == null ? r : l));
                differing++;
            } else if (!l.equals(r)) {
                out.append("changed: ").append(h).append('\n');
                indent(out, "  only in A: ", minus(lines(l), lines(r)));
                indent(out, "  only in B: ", minus(lines(r), lines(l)));
                differing++;
            }
        }
        return differing == 0 ? "no differences" : differing + " object(s) differ:\n" + out;
    }

    private static List<String> lines(List<String> statements) {
        List<String> lines = new ArrayList<>();
        statements.forEach(s -> lines.addAll(List.of((s + ";").split("\n"))));
        return lines;
    }

    /** {@code from} without one occurrence of each line of {@code without} (a multiset difference). */
    private static List<String> minus(List<String> from, List<String> without) {
        List<String> rest = new ArrayList<>(from);
        without.forEach(rest::remove);
        return rest;
    }

    /** Each line of {@code texts} (statements span lines) under {@code prefix}. */
    private static void indent(StringBuilder out, String prefix, List<String> texts) {
        for (String text : texts) {
            for (String line : text.split("\n")) {
                out.append(prefix).append(line).append('\n');
            }
        }
    }
}
