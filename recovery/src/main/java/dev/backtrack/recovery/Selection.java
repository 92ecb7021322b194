package dev.backtrack.recovery;

import dev.backtrack.repository.schema.TableSchema;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which tables a restore writes: all, or those named by {@code --tables} and {@code --schemas}. Immutable. */
public record Selection(List<String> tables, List<String> schemas) {
    public static final Selection ALL = new Selection(List.of(), List.of());

    /** From comma-separated option values (either may be null); a bare table name means schema public. */
    public static Selection of(String tables, String schemas) {
        return new Selection(
                split(tables).stream()
                        .map(t -> t.contains(".") ? t : "public." + t)
                        .toList(),
                split(schemas));
    }

    private static List<String> split(String s) {
        return s == null
                ? List.of()
                : Arrays.stream(s.split(","))
                        .map(String::trim)
                        .filter(x -> !x.isEmpty())
                        .toList();
    }

    /** The same selection with the partitions of every partitioned table it names (at any depth). */
    public Selection withPartitions(Map<String, String> parentOf) {
        Set<String> named = new LinkedHashSet<>(tables);
        for (String partition : parentOf.keySet()) {
            for (String up = parentOf.get(partition); up != null; up = parentOf.get(up)) {
                if (tables.contains(up)) {
                    named.add(partition);
                    break;
                }
            }
        }
        return new Selection(List.copyOf(named), schemas);
    }

    public boolean all() {
        return tables.isEmpty() && schemas.isEmpty();
    }

    public boolean includes(TableSchema t) {
        return all() || tables.contains(t.qualifiedName()) || schemas.contains(t.schema());
    }

    /** Refuses a named table or schema that does not exist at the target. */
    public void check(Collection<TableSchema> available) {
        for (String t : tables) {
            if (available.stream().noneMatch(a -> a.qualifiedName().equals(t))) {
                throw new RestoreException("--tables names " + t
                        + ", which does not exist at the restore target: use schema.table as listed in "
                        + "'backtrack backups'");
            }
        }
        for (String s : schemas) {
            if (available.stream().noneMatch(a -> a.schema().equals(s))) {
                throw new RestoreException("--schemas names " + s
                        + ", which holds no captured table at the restore target: check the name");
            }
        }
    }
}
