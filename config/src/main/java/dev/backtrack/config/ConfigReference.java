package dev.backtrack.config;

import java.util.stream.Collectors;

/**
 * The configuration reference table of {@code docs/CONFIGURATION.md}, written from {@link Option#ALL}
 * so the documentation cannot drift from what the loader accepts ({@code ConfigReferenceTest} fails
 * when the file is stale; {@code main} prints the table).
 */
public final class ConfigReference {
    /** The lines around the generated table in the document. */
    public static final String BEGIN = "<!-- generated from Option.ALL by ConfigReference: do not edit by hand -->";

    public static final String END = "<!-- end of generated table -->";

    private ConfigReference() {}

    /** The Markdown table: key, environment variable, default, meaning, example. */
    public static String table() {
        return "| key | environment | default | meaning | example |\n|---|---|---|---|---|\n"
                + Option.ALL.stream().map(ConfigReference::row).collect(Collectors.joining("\n")) + "\n";
    }

    private static String row(Option o) {
        String fallback = o.required()
                ? "(required)"
                : o.defaultValue() == null || o.defaultValue().isEmpty() ? "(none)" : o.defaultValue();
        return "| `" + o.path() + "` | `" + o.environmentName() + "` | " + fallback + " | "
                + o.summary().replace("|", "\\|") + " | `" + o.example() + "` |";
    }

    public static void main(String[] args) {
        System.out.print(table());
    }
}
