package dev.backtrack.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A {@code mariadb-dump --no-data --routines --triggers --events} in a form two dumps can be compared in
 * with {@code equals}: one section per object (the database, each table, view, trigger, procedure,
 * function, event), sorted by kind and name, each holding the object's creation context (sql_mode,
 * client character set, ...) and its CREATE statement, text intact but for the rules in
 * {@link MariaDbDumpParser}. Immutable.
 */
public record MariaDbDumpedSchema(List<Section> sections) {
    public MariaDbDumpedSchema {
        sections = List.copyOf(sections);
    }

    /**
     * One dumped object.
     *
     * @param kind       DATABASE, TABLE, VIEW, TRIGGER, PROCEDURE, FUNCTION, EVENT, SEQUENCE, or OTHER for
     *                   a statement the parser does not know (kept, so nothing is hidden by accident)
     * @param name       the object's name, unquoted; empty for the database, whose name is not compared
     * @param statements its creation context as {@code SET name = value} lines, sorted, then what defines it
     */
    public record Section(String kind, String name, List<String> statements) {
        public Section {
            statements = List.copyOf(statements);
        }

        public String header() {
            return name.isEmpty() ? kind : kind + " " + name;
        }

        @Override
        public String toString() {
            return "-- " + header() + "\n"
                    + statements.stream().map(s -> s + ";").collect(Collectors.joining("\n"));
        }
    }

    /** Parses mariadb-dump's output (with or without {@code --databases}) under {@code options}. */
    public static MariaDbDumpedSchema parse(String dump, MariaDbSchemaDump.Options options) {
        List<Section> sections = new ArrayList<>(new MariaDbDumpParser(options).parse(dump));
        // mariadb-dump writes tables by name, then events, routines and views: an order of no meaning
        sections.sort(
                Comparator.comparing(Section::kind).thenComparing(Section::name).thenComparing(Section::toString));
        return new MariaDbDumpedSchema(sections);
    }

    /** This schema with one more section, e.g. what mariadb-dump cannot show. */
    public MariaDbDumpedSchema with(Section extra) {
        List<Section> all = new ArrayList<>(sections);
        all.add(extra);
        all.sort(
                Comparator.comparing(Section::kind).thenComparing(Section::name).thenComparing(Section::toString));
        return new MariaDbDumpedSchema(all);
    }

    /** The sections of one kind, e.g. {@code "TABLE"}. */
    public List<Section> ofKind(String kind) {
        return sections.stream().filter(s -> s.kind().equals(kind)).toList();
    }

    @Override
    public String toString() {
        return sections.stream().map(Section::toString).collect(Collectors.joining("\n\n"));
    }

    /** Sections by header; two sections with one header (OTHER statements alike) are joined. */
    Map<String, List<String>> byHeader() {
        Map<String, List<String>> map = new TreeMap<>();
        for (Section s : sections) {
            map.computeIfAbsent(s.header(), h -> new ArrayList<>()).addAll(s.statements());
        }
        return map;
    }
}
