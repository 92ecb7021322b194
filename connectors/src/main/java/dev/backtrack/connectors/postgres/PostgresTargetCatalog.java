package dev.backtrack.connectors.postgres;

import dev.backtrack.connectors.SourceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a restore asks a PostgreSQL target before it writes: the extensions and roles it has, and
 * whether the restoring role may hand objects to their owners. Not thread-safe (the target's connection).
 */
final class PostgresTargetCatalog {
    private final Connection connection;

    PostgresTargetCatalog(Connection connection) {
        this.connection = connection;
    }

    /** Extensions created in the target database already. */
    Set<String> extensions() {
        return strings("SELECT extname FROM pg_extension", null);
    }

    /** Schemas the target database has already. */
    Set<String> schemas() {
        return strings("SELECT nspname FROM pg_namespace", null);
    }

    /** Refuses an extension the target server does not offer at that version, naming the fix. */
    void checkExtensionAvailable(String name, String version) {
        Set<String> versions = strings("SELECT version FROM pg_available_extension_versions WHERE name = ?", name);
        if (versions.contains(version)) {
            return;
        }
        throw new SourceException(
                versions.isEmpty()
                        ? "the restore needs extension " + name + " " + version
                                + ", which the target server does not have: install it there"
                                + " (the extension's package for this PostgreSQL version; contrib extensions "
                                + "come with the server), then restore again"
                        : "the restore needs extension " + name + " at version " + version
                                + ", and the target server offers it only at " + String.join(", ", versions)
                                + ": install version " + version + " there, then restore again");
    }

    /** Refuses roles the target lacks, or owners the restoring role may not give objects to. */
    void checkRoles(Set<String> needed, Set<String> owners) {
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(strings("SELECT rolname FROM pg_roles", null));
        if (!missing.isEmpty()) {
            throw new SourceException(
                    "the restore needs role" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing)
                            + ", which the target server lacks: create " + (missing.size() == 1 ? "it" : "them")
                            + " (CREATE ROLE "
                            + PostgresCatalog.quote(missing.iterator().next())
                            + ";), or restore with --no-owner --no-privileges");
        }
        List<String> foreign = new ArrayList<>();
        for (String role : owners) {
            if (strings(
                            "SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR "
                                    + "pg_has_role(current_user, ?, 'MEMBER'))",
                            role)
                    .isEmpty()) {
                foreign.add(role);
            }
        }
        if (!foreign.isEmpty()) {
            throw new SourceException("the restoring role may not make objects owned by " + String.join(", ", foreign)
                    + ": restore as a superuser, grant those roles to the restoring role, or restore with --no-owner");
        }
    }

    private Set<String> strings(String sql, String parameter) {
        Set<String> out = new TreeSet<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new SourceException("target query failed (" + e.getMessage() + "): " + sql, e);
        }
        return out;
    }
}
