package dev.backtrack.config;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code source.tables-include} and {@code -exclude}: a qualified table name ({@code schema.table},
 * MariaDB {@code database.table}) is selected when it fully matches an include pattern (or there is
 * none) and no exclude pattern. Immutable.
 */
public final class TableFilter implements Predicate<String> {
    private final List<Pattern> include;
    private final List<Pattern> exclude;

    private TableFilter(List<Pattern> include, List<Pattern> exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    public static TableFilter of(List<String> include, List<String> exclude) {
        return new TableFilter(
                include.stream().map(Pattern::compile).toList(),
                exclude.stream().map(Pattern::compile).toList());
    }

    @Override
    public boolean test(String qualifiedName) {
        return (include.isEmpty()
                        || include.stream()
                                .anyMatch(p -> p.matcher(qualifiedName).matches()))
                && exclude.stream().noneMatch(p -> p.matcher(qualifiedName).matches());
    }
}
