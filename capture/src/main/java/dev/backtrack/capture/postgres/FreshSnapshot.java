package dev.backtrack.capture.postgres;

import dev.backtrack.connectors.SourceException;
import dev.backtrack.connectors.postgres.ConnectionErrors;
import dev.backtrack.connectors.postgres.PostgresCatalog;
import dev.backtrack.connectors.postgres.PostgresObjects;
import dev.backtrack.connectors.postgres.TextValues;
import dev.backtrack.repository.objects.ObjectSet;
import dev.backtrack.repository.position.Lsn;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.ReplicationSlotInfo;

/**
 * A consistent read of the source at a point in its WAL, for a fresh full checkpoint while the agent
 * streams: a temporary logical slot exports a snapshot whose consistent point P splits the history
 * exactly: every transaction committing before P is in the snapshot, every later one is decoded
 * (and so is in the agent's log with a commit position at or after P). Rows are read as text in
 * fixed output styles and turned into the stream's value types by {@link TextValues}. Not thread-safe.
 */
public final class FreshSnapshot implements AutoCloseable {
    private final Connection replication;
    private final Connection reader;
    private final long consistentPoint;

    private FreshSnapshot(Connection replication, Connection reader, long consistentPoint) {
        this.replication = replication;
        this.reader = reader;
        this.consistentPoint = consistentPoint;
    }

    public static FreshSnapshot open(String url, String user, String password) {
        Properties p = PostgresCatalog.properties(user, password, "backtrack-fresh-checkpoint");
        Properties repl = new Properties();
        repl.putAll(p);
        PGProperty.REPLICATION.set(repl, "database");
        PGProperty.PREFER_QUERY_MODE.set(repl, "simple");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(repl, "10");
        Connection replication = null;
        try {
            replication = DriverManager.getConnection(url, repl);
            ReplicationSlotInfo slot = replication
                    .unwrap(PGConnection.class)
                    .getReplicationAPI()
                    .createReplicationSlot()
                    .logical()
                    .withSlotName("backtrack_fresh_"
                            + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
                    .withOutputPlugin("pgoutput")
                    .withTemporaryOption()
                    .make();
            Connection reader = DriverManager.getConnection(url, p);
            reader.setAutoCommit(false);
            try (Statement st = reader.createStatement()) {
                // not READ ONLY: reading the object definitions makes temporary functions
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                st.execute("SET TRANSACTION SNAPSHOT '" + slot.getSnapshotName() + "'");
                // the same output styles the DDL trigger's row writer uses (TextValues reads them)
                st.execute("SET LOCAL datestyle = 'ISO, YMD'; SET LOCAL timezone = 'UTC'; SET LOCAL intervalstyle "
                        + "= 'postgres';"
                        + " SET LOCAL bytea_output = 'hex'; SET LOCAL extra_float_digits = 1");
            }
            return new FreshSnapshot(
                    replication, reader, Lsn.parse(slot.getConsistentPoint().asString()));
        } catch (SQLException e) {
            if (replication != null) {
                try {
                    replication.close();
                } catch (SQLException ignored) {
                    // reported below
                }
            }
            throw ConnectionErrors.describe("source", url, user, e);
        }
    }

    /** The WAL position the snapshot stands at: transactions committing before it are in it. */
    public long consistentPoint() {
        return consistentPoint;
    }

    /** Streams every row of {@code table} as the snapshot sees it, in the column order of that table version. */
    public long read(TableSchema table, BiConsumer<TableSchema, Object[]> sink) {
        Map<String, String> output = outputFunctions(table);
        List<String> cols = new ArrayList<>();
        for (Column c : table.columns()) {
            // the type's output function, not a cast to text: the schema may define its own cast (a composite type to
            // text)
            cols.add(
                    c.generated() != null
                            ? "NULL::text"
                            : "pg_catalog.textin(" + output.get(c.name()) + "(" + PostgresCatalog.quote(c.name())
                                    + "))");
        }
        String sql = "SELECT ARRAY[" + String.join(", ", cols) + "] FROM ONLY " + PostgresCatalog.quote(table.schema())
                + "." + PostgresCatalog.quote(table.table());
        long n = 0;
        try (Statement st = reader.createStatement()) {
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    Array a = rs.getArray(1);
                    String[] values = (String[]) a.getArray();
                    sink.accept(table, TextValues.row(table, Arrays.asList(values)));
                    n++;
                }
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read " + table.qualifiedName() + " for a fresh checkpoint: " + e.getMessage()
                            + " (a table changed by DDL since the agent logged its definition? try again)",
                    e);
        }
        return n;
    }

    /**
     * The object definitions under the snapshot. The server prints some of them (views, functions)
     * from its current catalog, so a DDL committed while this runs may show; the log corrects it.
     */
    public ObjectSet objects(List<String> include, List<String> exclude) {
        PostgresObjects.install(reader, include, exclude);
        return PostgresObjects.read(reader);
    }

    /** Each column's type's output function, qualified. */
    private Map<String, String> outputFunctions(TableSchema table) {
        Map<String, String> out = new HashMap<>();
        String sql = "SELECT a.attname, format('%I.%I', n.nspname, p.proname) FROM pg_attribute a JOIN pg_type t ON "
                + "t.oid = a.atttypid"
                + " JOIN pg_proc p ON p.oid = t.typoutput JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped";
        try (PreparedStatement ps = reader.prepareStatement(sql)) {
            ps.setString(1, PostgresCatalog.quote(table.schema()) + "." + PostgresCatalog.quote(table.table()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot read the column types of " + table.qualifiedName() + " for a fresh checkpoint: "
                            + e.getMessage(),
                    e);
        }
        return out;
    }

    /** Writes a transactional marker into the stream; returns its LSN, which the agent's log must reach. */
    public String fence(PostgresCatalog catalog) {
        return catalog.one("SELECT pg_logical_emit_message(true, 'backtrack.fence', '')::text");
    }

    @Override
    public void close() {
        try {
            reader.rollback();
            reader.close();
        } catch (SQLException ignored) {
            // read-only
        }
        try {
            replication.close();
        } catch (SQLException ignored) {
            // the temporary slot goes with the session
        }
    }
}
