package dev.backtrack.testkit;

import java.util.Set;

/**
 * The objects the Backtrack agent installs in a source database, which a restore must not be
 * compared on: its schema and everything in it, its event triggers, its publications and their
 * member tables and schemas, and the comments, grants and security labels on any of those.
 *
 * @param schema             the agent's schema ({@code backtrack})
 * @param eventTriggerPrefix its event triggers' name prefix ({@code backtrack_})
 * @param publications       names of the publications it uses ({@code backtrack} unless configured)
 */
public record AgentObjects(String schema, String eventTriggerPrefix, Set<String> publications) {

    public AgentObjects {
        publications = Set.copyOf(publications);
    }

    /** What an agent with the default settings installs. */
    public static AgentObjects defaults() {
        return new AgentObjects("backtrack", "backtrack_", Set.of("backtrack"));
    }

    /** Nothing is the agent's: every section stays. */
    public static AgentObjects none() {
        return new AgentObjects("", "", Set.of());
    }

    /** The same, with the agent's publications named {@code names} instead. */
    public AgentObjects withPublications(String... names) {
        return new AgentObjects(schema, eventTriggerPrefix, Set.of(names));
    }

    /** True when the section describes one of these objects or something attached to one. */
    public boolean owns(DumpedSchema.Section s) {
        String type = s.type();
        String name = s.name();
        boolean describesOne = s.schema().equals(schema) || ownsObject(type, name);
        // comments, grants and labels are named "<KIND> <name>", e.g. "SCHEMA backtrack"
        boolean attached = Set.of("COMMENT", "ACL", "SECURITY LABEL").contains(type) && ownsNamed(name);
        return describesOne || attached;
    }

    private boolean ownsObject(String type, String name) {
        return switch (type) {
            case "SCHEMA" -> name.equals(schema);
            case "EVENT TRIGGER" -> !eventTriggerPrefix.isEmpty() && name.startsWith(eventTriggerPrefix);
            case "PUBLICATION" -> publications.contains(name);
            // "<publication> <table>" and "<publication> <schema>": a membership of the agent's publication
            case "PUBLICATION TABLE", "PUBLICATION TABLES IN SCHEMA" -> publications.contains(name.split(" ", 2)[0]);
            default -> false;
        };
    }

    private boolean ownsNamed(String name) {
        for (String kind : new String[] {"SCHEMA", "EVENT TRIGGER", "PUBLICATION"}) {
            if (name.startsWith(kind + " ") && ownsObject(kind, name.substring(kind.length() + 1))) {
                return true;
            }
        }
        return false;
    }
}
