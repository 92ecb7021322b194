package dev.backtrack.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A {@code pg_dump --schema-only} in a form two dumps can be compared in with {@code equals}: its
 * sections (one per dumped object), sorted, each with its statements sorted and each statement's text
 * intact. Immutable.
 */
public record DumpedSchema(List<Section> sections) {
    /** pg_dump writes "-- Name: X; Type: Y; Schema: S; Owner: O[; Tablespace: T]" before every object. */
    private static final Pattern HEADER =
            Pattern.compile("-- (Name: (.*?); Type: ([A-Z ]+); Schema: (.*?); Owner: .*)");

    public DumpedSchema {
        sections = List.copyOf(sections);
    }

    /**
     * One dumped object.
     *
     * @param header     pg_dump's header line without the "-- " (name, type, schema, owner, tablespace)
     * @param statements its statements, sorted, without the terminating ';'
     */
    public record Section(String header, String type, String schema, String name, List<String> statements) {
        public Section {
            statements = List.copyOf(statements);
        }

        @Override
        public String toString() {
            return "-- " + header + "\n" + statements.stream().map(s -> s + ";").collect(Collectors.joining("\n"));
        }
    }

    /** Parses pg_dump's plain output and leaves out the sections {@code agent} owns. */
    public static DumpedSchema parse(String dump, AgentObjects agent) {
        List<Section> sections = new ArrayList<>();
        Matcher header = null;
        StringBuilder body = new StringBuilder();
        for (String line : dump.split("\n", -1)) {
            Matcher m = HEADER.matcher(line);
            if (m.matches()) {
                addSection(sections, header, body, agent);
                header = m;
                body.setLength(0);
            } else {
                body.append(line).append('\n');
            }
        }
        addSection(sections, header, body, agent);
        // the order pg_dump writes objects in follows OIDs and dependencies, not meaning
        sections.sort(Comparator.comparing(Section::toString));
        return new DumpedSchema(sections);
    }

    /** Text before the first header (session SETs, version comments, \restrict) is not an object, so it is skipped. */
    private static void addSection(List<Section> sections, Matcher header, StringBuilder body, AgentObjects agent) {
        if (header == null) {
            return;
        }
        List<String> statements = SqlScript.split(body.toString()).stream()
                // SETs are session state pg_dump emits for the next object; its tablespace is in that object's header
                .filter(s -> !s.startsWith("SET "))
                // psql meta-commands: the restrict/unrestrict pair carries a key that is random in every dump
                .filter(s -> !s.startsWith("\\"))
                // statements of one object may come in any order (e.g. GRANTs follow the ACL's array order)
                .sorted()
                .toList();
        Section s = new Section(header.group(1), header.group(3), header.group(4), header.group(2), statements);
        if (!agent.owns(s)) {
            sections.add(s);
        }
    }

    /** The dump as text: sections in order, each its header and its statements. */
    @Override
    public String toString() {
        return sections.stream().map(Section::toString).collect(Collectors.joining("\n\n"));
    }

    /** Sections by header; two sections with one header (which pg_dump does not write) are joined. */
    Map<String, List<String>> byHeader() {
        Map<String, List<String>> map = new TreeMap<>();
        for (Section s : sections) {
            map.computeIfAbsent(s.header(), h -> new ArrayList<>()).addAll(s.statements());
        }
        return map;
    }
}
