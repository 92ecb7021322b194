package dev.backtrack.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits MariaDB SQL text into statements the way the {@code mariadb} client does: a {@code DELIMITER}
 * line at a statement's start changes what ends a statement (so {@code BEGIN ... END} bodies written
 * between {@code DELIMITER ;;} lines keep their {@code ;}), and the delimiter ends a statement only
 * outside '...', "..." and `...`, outside comments. Comments before a statement are dropped; comments
 * inside one are kept, as {@code mariadb --comments} sends them, because the server stores them in
 * routine and trigger bodies. Executable comments ({@code /*!50003 ...}) are statement text. A client
 * command hidden in one ({@code /*M!999999\- enable the sandbox mode}), which mariadb-dump writes
 * first, is returned as a statement of its own. Thread-safe (no state).
 */
public final class MariaDbScript {
    private final String text;
    private final List<String> statements = new ArrayList<>();
    private final StringBuilder current = new StringBuilder();
    private String delimiter = ";";
    /**
     * Whether the current statement has anything but whitespace yet (kept as a flag: a data dump's INSERTs are long).
     */
    private boolean started;

    private int at;

    private MariaDbScript(String text) {
        this.text = text;
    }

    /** The statements of {@code text}, trimmed, without their delimiter; blank ones are left out. */
    public static List<String> split(String text) {
        MariaDbScript script = new MariaDbScript(text);
        script.scan();
        return script.statements;
    }

    private void scan() {
        while (at < text.length()) {
            char c = text.charAt(at);
            boolean blank = !started;
            if (blank && atLineStart() && startsWithWord("DELIMITER")) {
                changeDelimiter();
            } else if (blank && clientCommandComment()) {
                copyUntil(commentEnd());
                finish();
            } else if (text.startsWith(delimiter, at)) {
                finish();
                at += delimiter.length();
            } else if (lineComment()) {
                skipOrCopy(blank, lineEnd());
            } else if (text.startsWith("/*", at) && !executableComment()) {
                skipOrCopy(blank, commentEnd());
            } else if (c == '\'' || c == '"' || c == '`') {
                copyUntil(quoteEnd(text, at, c));
            } else {
                started |= !Character.isWhitespace(c);
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
        started = false;
    }

    /** A comment before a statement is dropped; inside one it is kept, for the server stores it in a body. */
    private void skipOrCopy(boolean blank, int end) {
        if (blank) {
            current.setLength(0);
            at = end;
        } else {
            copyUntil(end);
        }
    }

    private void copyUntil(int end) {
        current.append(text, at, end);
        started = true;
        at = end;
    }

    private void changeDelimiter() {
        int end = lineEnd();
        String rest = text.substring(at + "DELIMITER".length(), end).strip();
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("DELIMITER without a delimiter at offset " + at);
        }
        delimiter = rest.split("\\s+")[0];
        current.setLength(0);
        at = end;
    }

    private boolean atLineStart() {
        int i = at - 1;
        while (i >= 0 && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i--;
        }
        return i < 0 || text.charAt(i) == '\n';
    }

    private boolean startsWithWord(String word) {
        int end = at + word.length();
        return text.regionMatches(true, at, word, 0, word.length())
                && end < text.length()
                && Character.isWhitespace(text.charAt(end));
    }

    /**
     * "-- " needs a space or control character after the dashes in MariaDB ({@code 5--3} is arithmetic); '#' needs
     * nothing.
     */
    private boolean lineComment() {
        if (text.charAt(at) == '#') {
            return true;
        }
        return text.startsWith("--", at) && (at + 2 == text.length() || text.charAt(at + 2) <= ' ');
    }

    /** {@code /*!} and {@code /*M!} comments are code the server runs. */
    private boolean executableComment() {
        return text.startsWith("/*!", at) || text.startsWith("/*M!", at);
    }

    /** An executable comment whose content after the version is a client command ({@code \-}). */
    private boolean clientCommandComment() {
        if (!executableComment()) {
            return false;
        }
        int i = at + (text.charAt(at + 2) == 'M' ? 4 : 3);
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        return i < text.length() && text.charAt(i) == '\\';
    }

    private int lineEnd() {
        int nl = text.indexOf('\n', at);
        return nl < 0 ? text.length() : nl;
    }

    /** Comments do not nest in MariaDB: the first {@code *}{@code /} closes. */
    private int commentEnd() {
        int close = text.indexOf("*/", at + 2);
        return close < 0 ? text.length() : close + 2;
    }

    /** End of a quoted string or identifier: a doubled quote stays inside, a backslash escapes in '...' and "...". */
    private static int quoteEnd(String text, int start, char quote) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && quote != '`') {
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

    /**
     * The statement with its executable comments' markers removed ({@code /*!50003 CREATE*}{@code /} becomes
     * {@code CREATE}), as the server reads it; quoted text and plain comments inside are left alone.
     */
    public static String unwrapExecutableComments(String statement) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        int i = 0;
        while (i < statement.length()) {
            char c = statement.charAt(i);
            int marker = markerLength(statement, i);
            if (marker > 0) {
                depth++;
                i += marker;
            } else if (depth > 0 && statement.startsWith("*/", i)) {
                depth--;
                i += 2;
            } else if (statement.startsWith("/*", i)) {
                int close = statement.indexOf("*/", i + 2);
                int end = close < 0 ? statement.length() : close + 2;
                out.append(statement, i, end);
                i = end;
            } else if (c == '\'' || c == '"' || c == '`') {
                int end = quoteEnd(statement, i, c);
                out.append(statement, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Length of a {@code /*!NNNNN} or {@code /*M!NNNNNN} marker at {@code i}, with one space after it; 0 if none. */
    private static int markerLength(String s, int i) {
        int j;
        if (s.startsWith("/*!", i)) {
            j = i + 3;
        } else if (s.startsWith("/*M!", i)) {
            j = i + 4;
        } else {
            return 0;
        }
        while (j < s.length() && Character.isDigit(s.charAt(j))) {
            j++;
        }
        if (j < s.length() && s.charAt(j) == ' ') {
            j++;
        }
        return j - i;
    }

    /**
     * The version number of the executable comment a statement starts with ({@code /*!50003 SET} gives 50003), or 0.
     */
    public static int leadingVersion(String statement) {
        int marker = markerLength(statement, 0);
        if (marker == 0) {
            return 0;
        }
        String digits =
                statement.substring(statement.charAt(2) == 'M' ? 4 : 3, marker).strip();
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }
}
