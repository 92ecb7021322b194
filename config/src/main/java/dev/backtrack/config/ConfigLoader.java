package dev.backtrack.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code backtrack.yaml}: file, then {@code BACKTRACK_<SECTION>_<KEY>} environment overrides,
 * then defaults. {@code ${VAR}} in a value is replaced from the environment. Thread-safe (stateless).
 */
public final class ConfigLoader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Map<String, String> environment;

    public ConfigLoader(Map<String, String> environment) {
        this.environment = environment;
    }

    public static BacktrackConfig load(Path file) {
        return new ConfigLoader(System.getenv()).read(file);
    }

    public BacktrackConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(
                    "configuration file " + file + " does not exist: pass --config with the path of backtrack.yaml");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(
                    file + " is not valid YAML (" + firstLine(e.getMessage()) + "): fix the syntax at that line");
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException(
                        file + " must be a mapping of sections (source:, repository:): see docs/CONFIGURATION.md");
            }
            collect(root, values);
        }
        for (Option o : Option.ALL) {
            String env = environment.get(o.environmentName());
            if (env != null) {
                values.put(o.path(), env);
            }
        }
        return build(values);
    }

    private void collect(JsonNode root, Map<String, String> values) {
        for (Iterator<Map.Entry<String, JsonNode>> sections = root.fields(); sections.hasNext(); ) {
            Map.Entry<String, JsonNode> section = sections.next();
            if (Option.ALL.stream().noneMatch(o -> o.section().equals(section.getKey()))) {
                throw new ConfigException(
                        "unknown section '" + section.getKey() + "': use one of source, repository, checkpoint, agent");
            }
            if (!section.getValue().isObject()) {
                throw new ConfigException("section '" + section.getKey() + "' must hold keys, as in '"
                        + section.getKey() + ":\\n  key: value'");
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = section.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                Option option = Option.find(section.getKey(), key.getKey());
                if (option == null) {
                    throw new ConfigException("unknown key '" + section.getKey() + "." + key.getKey()
                            + "': remove it or use one of "
                            + String.join(
                                    ", ",
                                    Option.ALL.stream()
                                            .filter(o -> o.section().equals(section.getKey()))
                                            .map(Option::key)
                                            .toList()));
                }
                JsonNode v = key.getValue();
                String text;
                if (v.isArray()) {
                    List<String> items = new ArrayList<>();
                    v.forEach(item -> items.add(item.asText()));
                    text = String.join(",", items);
                } else if (v.isContainerNode()) {
                    throw new ConfigException(
                            option.path() + " must be a single value, for example: " + option.example());
                } else {
                    text = v.isNull() ? "" : v.asText();
                }
                values.put(option.path(), text);
            }
        }
    }

    private BacktrackConfig build(Map<String, String> raw) {
        Map<String, String> v = new LinkedHashMap<>();
        for (Option o : Option.ALL) {
            String value = raw.containsKey(o.path()) ? substitute(o, raw.get(o.path())) : o.defaultValue();
            if (o.required() && (value == null || value.isBlank())) {
                throw new ConfigException("missing required key " + o.path() + ": add it (for example '" + o.key()
                        + ": " + o.example() + "' under '" + o.section() + ":') or set " + o.environmentName());
            }
            v.put(o.path(), value == null ? "" : value.trim());
        }
        String url = v.get("source.url");
        if (Engine.ofUrl(url) == null) {
            throw new ConfigException("source.url '" + JdbcUrl.masked(url)
                    + "' is not supported: use a PostgreSQL, MariaDB or MySQL URL such as "
                    + "jdbc:postgresql://127.0.0.1:5432/crm,"
                    + " jdbc:mariadb://127.0.0.1:3306/crm or jdbc:mysql://127.0.0.1:3306/crm");
        }
        SourceConfig source = new SourceConfig(
                url,
                v.get("source.user"),
                v.get("source.password"),
                list(v.get("source.tables-include")),
                list(v.get("source.tables-exclude")),
                identifier(v, "source.slot"),
                identifier(v, "source.publication"),
                oneOf(v, "source.capture-ddl", "auto", "on", "off"),
                duration(v, "source.heartbeat-interval"),
                integer(v, "source.server-id", 1, Integer.MAX_VALUE));
        source.database();
        JdbcUrl.tlsMode(url, "source.url");
        int level = integer(v, "repository.compression-level", 1, 19);
        long segmentMb = integer(v, "repository.segment-size-mb", 1, 4096);
        RepositoryConfig repository = new RepositoryConfig(
                Path.of(v.get("repository.path")).toAbsolutePath(), level, segmentMb << 20, passphrase(v));
        Duration full = duration(v, "checkpoint.full-interval");
        if (full.isZero()) {
            throw new ConfigException(
                    "checkpoint.full-interval is 0: fulls bound how much a restore replays, give a duration "
                            + "such as 7d");
        }
        CheckpointSchedule schedule = new CheckpointSchedule(
                full,
                duration(v, "checkpoint.diff-interval"),
                duration(v, "checkpoint.incr-interval"),
                (long) integer(v, "checkpoint.incr-log-mb", 0, 1_000_000) << 20);
        AgentConfig agent = new AgentConfig(
                integer(v, "agent.max-batch-size", 1, 65536),
                schedule,
                (long) integer(v, "agent.wal-warning-mb", 1, 1_000_000) << 20);
        RetentionConfig retention =
                new RetentionConfig(integer(v, "retention.checkpoints", 0, 100_000), duration(v, "retention.window"));
        return new BacktrackConfig(source, repository, agent, retention);
    }

    /** repository.passphrase or the first line of repository.passphrase-file; null when neither is set. */
    private static String passphrase(Map<String, String> v) {
        String inline = v.get("repository.passphrase");
        String file = v.get("repository.passphrase-file");
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw new ConfigException(
                    "repository.passphrase and repository.passphrase-file are both set: keep one of them");
        }
        if (!file.isEmpty()) {
            return passphraseFile(Path.of(file), "repository.passphrase-file");
        }
        return inline.isEmpty() ? null : inline;
    }

    /**
     * The passphrase on the first line of {@code file}; {@code what} names the key or flag that gave the file, in
     * errors.
     */
    public static String passphraseFile(Path file, String what) {
        try {
            String first =
                    Files.readAllLines(file).stream().findFirst().orElse("").strip();
            if (first.isEmpty()) {
                throw new ConfigException(what + " " + file + " is empty: write the passphrase on its first line");
            }
            return first;
        } catch (IOException e) {
            throw new ConfigException(
                    what + " " + file + " cannot be read (" + e.getMessage() + "): check the path and its permissions");
        }
    }

    private String substitute(Option o, String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = environment.get(m.group(1));
            if (replacement == null) {
                throw new ConfigException(o.path() + " refers to ${" + m.group(1) + "}, which is not set: export "
                        + m.group(1) + " before starting");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<String> list(String value) {
        return value.isBlank()
                ? List.of()
                : Arrays.stream(value.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
    }

    private static String identifier(Map<String, String> v, String path) {
        String value = v.get(path);
        if (!value.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ConfigException(
                    path + " '" + value + "' is not a valid name: use lower-case letters, digits and _ (at most 63)");
        }
        return value;
    }

    private static String oneOf(Map<String, String> v, String path, String... allowed) {
        // YAML 1.1 reads a bare on/off as a boolean
        String value = switch (v.get(path)) {
            case "true" -> "on";
            case "false" -> "off";
            default -> v.get(path);
        };
        for (String a : allowed) {
            if (a.equals(value)) {
                return a;
            }
        }
        throw new ConfigException(
                path + " '" + v.get(path) + "' is not valid: use one of " + String.join(", ", allowed));
    }

    private static int integer(Map<String, String> v, String path, int min, int max) {
        try {
            int n = Integer.parseInt(v.get(path));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(
                path + " '" + v.get(path) + "' is not valid: use a whole number from " + min + " to " + max);
    }

    /** A duration given on the command line ({@code what} names the flag in the error). */
    public static Duration parseDuration(String what, String text) {
        return duration(Map.of(what, text == null ? "" : text.trim()), what);
    }

    static Duration duration(Map<String, String> v, String path) {
        Matcher m = DURATION.matcher(v.get(path));
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } catch (NumberFormatException | ArithmeticException tooLarge) {
                // reported below
            }
        }
        throw new ConfigException(
                path + " '" + v.get(path) + "' is not a duration: use a number with ms, s, m, h or d, as in 30s");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
