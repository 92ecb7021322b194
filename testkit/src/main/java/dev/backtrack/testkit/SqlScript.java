package dev.backtrack.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements the way psql does: a {@code ;} outside quotes, quoted identifiers,
 * dollar-quoted bodies and comments ends a statement. Comments outside statements' literals are
 * dropped; a psql meta-command ({@code \restrict ...}) at a statement's start runs to the end of its
 * line and is returned as a statement of its own. Thread-safe (no state).
 */
public final class SqlScript {
    private final String text;
    private final List<String> statements = new ArrayList<>();
    private final StringBuilder current = new StringBuilder();
    private int at;

    private SqlScript(String text) {
        this.text = text;
    }

    /** The statements of {@code text}, trimmed, without their terminating {@code ;}; blank ones are left out. */
    public static List<String> split(String text) {
        SqlScript script = new SqlScript(text);
        script.scan();
        return script.statements;
    }

    private void scan() {
        while (at < text.length()) {
            char c = text.charAt(at);
            String tag = c == '$' ? dollarTag() : null;
            if (c == ';') {
                finish();
                at++;
            } else if (c == '\\' && current.toString().isBlank()) {
                copyUntil(lineEnd());
                finish();
            } else if (text.startsWith("--", at)) {
                at = lineEnd();
            } else if (text.startsWith("/*", at)) {
                at = blockCommentEnd();
                current.append(' ');
            } else if (c == '\'' || c == '"') {
                copyUntil(quoteEnd(c, c == '\'' && escapeStringPrefix()));
            } else if (tag != null) {
                int close = text.indexOf(tag, at + tag.length());
                copyUntil(close < 0 ? text.length() : close + tag.length());
            } else {
                current.append(c);
                at++;
            }
        }
        finish();
    }

    private void finish() {
        String s = current.toString().strip();
        if (!s.isEmpty()) {
            statements.add(s);
        }
        current.setLength(0);
    }

    private void copyUntil(int end) {
        current.append(text, at, end);
        at = end;
    }

    private int lineEnd() {
        int nl = text.indexOf('\n', at);
        return nl < 0 ? text.length() : nl;
    }

    /** Block comments nest in PostgreSQL. */
    private int blockCommentEnd() {
        int depth = 0;
        int i = at;
        while (i < text.length()) {
            if (text.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (text.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return text.length();
    }

    /** End of a '...' literal or "..." identifier; a doubled quote stays inside, a backslash escapes in E'...'. */
    private int quoteEnd(char quote, boolean backslashEscapes) {
        int i = at + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote && i + 1 < text.length() && text.charAt(i + 1) == quote) {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        return text.length();
    }

    /** True when the quote here opens an E'...' string: an E standing alone before it (not the end of WHERE). */
    private boolean escapeStringPrefix() {
        boolean e = at > 0 && (text.charAt(at - 1) == 'E' || text.charAt(at - 1) == 'e');
        return e && (at == 1 || !identifierChar(text.charAt(at - 2)));
    }

    private static boolean identifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** The $tag$ starting here, or null when this $ is a parameter ($1) or part of an identifier (a$b). */
    private String dollarTag() {
        if (at > 0 && identifierChar(text.charAt(at - 1))) {
            return null;
        }
        int i = at + 1;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        boolean tagged = i < text.length() && text.charAt(i) == '$';
        boolean startsWithDigit = i > at + 1 && Character.isDigit(text.charAt(at + 1));
        return tagged && !startsWithDigit ? text.substring(at, i + 1) : null;
    }
}
