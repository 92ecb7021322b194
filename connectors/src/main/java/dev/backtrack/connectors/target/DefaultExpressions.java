package dev.backtrack.connectors.target;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MariaDB/MySQL expression defaults a CRM schema uses, spelled as PostgreSQL computes the same
 * value: {@code UUID()}, {@code JSON_OBJECT} of literals, the current date give or take whole days.
 * Any other expression has no entry here (and is refused by the caller): a constant in its place
 * would give the application's next insert a wrong value.
 */
final class DefaultExpressions {
    private static final String LITERAL = "(?:'(?:[^'\\\\]|'')*'|-?\\d+(?:\\.\\d+)?|true|false|null)";
    private static final Pattern UUID = Pattern.compile("uuid\\(\\)");
    private static final Pattern JSON_OBJECT =
            Pattern.compile("json_object\\((" + LITERAL + "(?:\\s*,\\s*" + LITERAL + ")*)?\\)");
    private static final Pattern DAYS =
            Pattern.compile("(?:curdate\\(\\)|current_date(?:\\(\\))?)\\s*([+-])\\s*interval\\s+(\\d+)\\s+day");

    private DefaultExpressions() {}

    /** PostgreSQL's spelling of a MariaDB default expression, or null when there is none here. */
    static String postgres(String expression) {
        String e = unwrap(expression.trim());
        String lower = e.toLowerCase(Locale.ROOT);
        if (UUID.matcher(lower).matches()) {
            // MariaDB's UUID() is text of 36 characters; PostgreSQL 13+ makes one built in
            return "(gen_random_uuid())::text";
        }
        Matcher json = JSON_OBJECT.matcher(e);
        if (json.matches() && lower.startsWith("json_object(")) {
            return "json_build_object(" + (json.group(1) == null ? "" : json.group(1)) + ")";
        }
        Matcher days = DAYS.matcher(lower);
        if (days.matches()) {
            return "(CURRENT_DATE " + days.group(1) + " " + days.group(2) + ")";
        }
        return null;
    }

    /** Drops the parentheses around a whole expression: {@code ((curdate() + interval 30 day))}. */
    private static String unwrap(String e) {
        while (e.startsWith("(") && e.endsWith(")") && balanced(e.substring(1, e.length() - 1))) {
            e = e.substring(1, e.length() - 1).trim();
        }
        return e;
    }

    private static boolean balanced(String s) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (!quoted && ch == '(') {
                depth++;
            } else if (!quoted && ch == ')' && --depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }
}
