package dev.backtrack.recovery;

import dev.backtrack.connectors.SourceCatalog;
import dev.backtrack.connectors.target.TableContents;
import dev.backtrack.connectors.target.TargetDatabase;
import dev.backtrack.repository.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;

/**
 * Cutover's check: each table's row count and content checksum (SHA-256 over its rows in canonical
 * text, ordered by key) on the source and on the target, and the keys of rows that differ.
 */
public final class Validation {
    private static final int KEYS_SHOWN = 10;

    /** One table compared; {@code differingKeys} holds at most ten keys, with how each row differs. */
    public record TableCheck(
            String table,
            long sourceRows,
            long targetRows,
            String sourceChecksum,
            String targetChecksum,
            List<String> differingKeys) {
        public boolean matches() {
            return sourceRows == targetRows && sourceChecksum.equals(targetChecksum);
        }
    }

    private Validation() {}

    public static List<TableCheck> compare(SourceCatalog source, TargetDatabase target, List<TableSchema> tables) {
        List<TableCheck> out = new ArrayList<>();
        for (TableSchema t : tables) {
            List<String> key = t.primaryKey().isEmpty()
                    ? t.columns().stream().map(c -> c.name()).toList()
                    : t.primaryKey();
            SortedMap<String, String> a = TableContents.read(source.connection(), source.sqlName(t), key);
            SortedMap<String, String> b = TableContents.read(target.jdbc(), target.sqlName(t), key);
            List<String> differing = new ArrayList<>();
            for (String k : a.keySet()) {
                if (differing.size() < KEYS_SHOWN && !a.get(k).equals(b.get(k))) {
                    differing.add(k + (b.containsKey(k) ? " differs" : " missing in the target"));
                }
            }
            for (String k : b.keySet()) {
                if (differing.size() < KEYS_SHOWN && !a.containsKey(k)) {
                    differing.add(k + " only in the target");
                }
            }
            out.add(new TableCheck(t.qualifiedName(), a.size(), b.size(), checksum(a), checksum(b), differing));
        }
        return out;
    }

    private static String checksum(SortedMap<String, String> rows) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String r : rows.values()) {
                d.update(r.getBytes(StandardCharsets.UTF_8));
                d.update((byte) '\n');
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
