package dev.backtrack.bench.jmh;

import static dev.backtrack.bench.Words.COMPANY;
import static dev.backtrack.bench.Words.DOMAIN;
import static dev.backtrack.bench.Words.FIRST;
import static dev.backtrack.bench.Words.INDUSTRY;
import static dev.backtrack.bench.Words.KIND;
import static dev.backtrack.bench.Words.LAST;
import static dev.backtrack.bench.Words.SOURCE;
import static dev.backtrack.bench.Words.TAG;
import static dev.backtrack.bench.Words.pick;
import static dev.backtrack.bench.Words.text;

import dev.backtrack.connectors.postgres.TextValues;
import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import dev.backtrack.repository.schema.Column;
import dev.backtrack.repository.schema.TableSchema;
import io.debezium.data.Json;
import io.debezium.data.Uuid;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.ZonedTimestamp;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * The rows the micro-benchmarks encode, as the capture hands them to the log: the values
 * {@code ChangeDecoder} makes of a Debezium PostgreSQL row image (integers as Long, numeric as its
 * digits, timestamptz as ISO text in UTC, timestamp as microseconds, jsonb and uuid as text), and the
 * Connect {@link Struct}s the connector delivers for the same rows (decimal.handling.mode=string,
 * time.precision.mode=adaptive_time_microseconds, as CaptureSettings sets). Each shape comes as a pool
 * of {@link #POOL} different rows, so compression and branch prediction see varied data.
 */
final class Rows {
    /** Rows per pool; a power of two, so a benchmark cycles with {@code i & (POOL - 1)}. */
    static final int POOL = 256;

    static final long T0 = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z in micros

    private Rows() {}

    private static Column col(String name, String type, boolean nullable) {
        return new Column(name, type, nullable, null, null, null, null);
    }

    // ------------------------------------------------------------------------------------------ pgbench

    static final String ACCOUNT_FILLER = " ".repeat(84);

    /** pgbench_accounts (aid int, bid int, abalance int, filler char(84)); pgbench -i blank-pads the filler. */
    static final TableSchema ACCOUNTS = new TableSchema(
            1,
            "public",
            "pgbench_accounts",
            List.of(
                    col("aid", "integer", false),
                    col("bid", "integer", true),
                    col("abalance", "integer", true),
                    col("filler", "character(84)", true)),
            List.of("aid"),
            Map.of(),
            1);

    static final Schema ACCOUNTS_STRUCT = SchemaBuilder.struct()
            .name("backtrack.public.pgbench_accounts.Value")
            .field("aid", Schema.INT32_SCHEMA)
            .field("bid", Schema.OPTIONAL_INT32_SCHEMA)
            .field("abalance", Schema.OPTIONAL_INT32_SCHEMA)
            .field("filler", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    static Object[] account(SplittableRandom r, int scale) {
        long aid = 1 + r.nextInt(100_000 * scale);
        return new Object[] {aid, (aid - 1) / 100_000 + 1, (long) (r.nextInt(20_001) - 10_000), ACCOUNT_FILLER};
    }

    static Struct accountStruct(Object[] row) {
        return new Struct(ACCOUNTS_STRUCT)
                .put("aid", (int) (long) (Long) row[0])
                .put("bid", (int) (long) (Long) row[1])
                .put("abalance", (int) (long) (Long) row[2])
                .put("filler", row[3]);
    }

    /**
     * pgbench's tpcb-like transaction as the log gets it: UPDATE pgbench_accounts, pgbench_tellers and
     * pgbench_branches (after image only: replica identity default), INSERT INTO pgbench_history (replica
     * identity full, as the foundation benchmark sets it). Scale 10.
     */
    static Transaction pgbenchTx(SplittableRandom r, int n) {
        Object[] account = account(r, 10);
        long bid = (long) account[1];
        long tid = (bid - 1) * 10 + 1 + r.nextInt(10);
        long delta = r.nextInt(10_001) - 5_000;
        long micros = T0 + n * 250L;
        List<RowChange> changes = List.of(
                new RowChange(1, Op.UPDATE, null, account),
                new RowChange(2, Op.UPDATE, null, new Object[] {tid, bid, (long) r.nextInt(1_000_000) - 500_000, null}),
                new RowChange(3, Op.UPDATE, null, new Object[] {bid, (long) r.nextInt(10_000_000) - 5_000_000, null}),
                new RowChange(4, Op.INSERT, null, new Object[] {tid, bid, account[0], delta, micros, null}));
        return new Transaction(0, micros + 40, 0x3_0000_0000L + n * 680L, Long.toString(1_000_000 + n), changes);
    }

    // ------------------------------------------------------------------------------------------ CRM

    /**
     * A wide CRM contact: bigint key and foreign key, short texts, numeric(14,2), timestamptz,
     * timestamp, jsonb, a text of about 2.5 KB, uuid, boolean.
     */
    static final TableSchema CONTACTS = new TableSchema(
            11,
            "public",
            "contacts",
            List.of(
                    col("id", "bigint", false),
                    col("account_id", "bigint", false),
                    col("first_name", "text", false),
                    col("last_name", "text", false),
                    col("email", "text", false),
                    col("phone", "text", true),
                    col("lifetime_value", "numeric(14,2)", false),
                    col("created_at", "timestamp with time zone", false),
                    col("updated_at", "timestamp without time zone", false),
                    col("attributes", "jsonb", true),
                    col("notes", "text", true),
                    col("external_id", "uuid", false),
                    col("active", "boolean", false)),
            List.of("id"),
            Map.of(),
            1);

    static final Schema CONTACTS_STRUCT = SchemaBuilder.struct()
            .name("backtrack.public.contacts.Value")
            .field("id", Schema.INT64_SCHEMA)
            .field("account_id", Schema.INT64_SCHEMA)
            .field("first_name", Schema.STRING_SCHEMA)
            .field("last_name", Schema.STRING_SCHEMA)
            .field("email", Schema.STRING_SCHEMA)
            .field("phone", Schema.OPTIONAL_STRING_SCHEMA)
            // decimal.handling.mode=string: a plain string schema
            .field("lifetime_value", Schema.STRING_SCHEMA)
            .field("created_at", ZonedTimestamp.builder().build())
            .field("updated_at", MicroTimestamp.builder().build())
            .field("attributes", Json.builder().optional().build())
            .field("notes", Schema.OPTIONAL_STRING_SCHEMA)
            .field("external_id", Uuid.builder().build())
            .field("active", Schema.BOOLEAN_SCHEMA)
            .build();

    /** A contact's values; {@code created} is the timestamptz as the connector spells it (ISO, trailing zeros cut). */
    record Contact(Object[] row, String created) {}

    static Contact contact(SplittableRandom r, long id) {
        String first = pick(r, FIRST), last = pick(r, LAST);
        long createdMicros = T0 - r.nextLong(3L * 365 * 86_400_000_000L);
        Instant created = Instant.ofEpochSecond(
                Math.floorDiv(createdMicros, 1_000_000L), Math.floorMod(createdMicros, 1_000_000L) * 1000);
        // what the connector sends (ZonedTimestamp) and what the log keeps (TextValues.zoned: six digits, UTC)
        String sent = ZonedTimestamp.toIsoString(OffsetDateTime.ofInstant(created, ZoneOffset.UTC), null);
        String kept = TextValues.zoned(sent);
        String attributes = "{\"source\": \"" + pick(r, SOURCE) + "\", \"tags\": [\"" + pick(r, TAG) + "\", \""
                + pick(r, TAG) + "\"], \"score\": "
                + r.nextInt(100) + ", \"newsletter\": " + r.nextBoolean() + ", \"owner\": {\"id\": " + r.nextInt(500)
                + ", \"team\": \""
                + pick(r, INDUSTRY) + "\"}, \"last_campaign\": \"" + "Q" + (1 + r.nextInt(4)) + "-"
                + (2024 + r.nextInt(3)) + "\"}";
        Object[] row = {
            id,
            1 + r.nextLong(20_000),
            first,
            last,
            (first + "." + last + id).toLowerCase(Locale.ROOT) + "@" + pick(r, DOMAIN),
            r.nextInt(5) == 0 ? null : "+49 30 " + (1_000_000 + r.nextInt(9_000_000)),
            new BigDecimal(r.nextLong(1_000_000_000L)).movePointLeft(2).toPlainString(),
            kept,
            createdMicros + r.nextLong(86_400_000_000L * 30),
            attributes,
            text(r, 2_400 + r.nextInt(200)),
            new UUID(r.nextLong(), r.nextLong()).toString(),
            r.nextInt(10) != 0
        };
        return new Contact(row, sent);
    }

    static Struct contactStruct(Contact c) {
        Object[] v = c.row();
        Struct s = new Struct(CONTACTS_STRUCT);
        List<org.apache.kafka.connect.data.Field> fields = CONTACTS_STRUCT.fields();
        for (int i = 0; i < v.length; i++) {
            s.put(fields.get(i), v[i]);
        }
        return s.put("created_at", c.created());
    }

    /**
     * A CRM transaction of five changes: a new contact (the wide row), three activities logged for it,
     * and the account's row updated (after image only).
     */
    static Transaction crmTx(SplittableRandom r, int n) {
        long contactId = 100_000 + n;
        Object[] contact = contact(r, contactId).row();
        long account = (long) contact[1];
        long micros = T0 + n * 2_000L;
        List<RowChange> changes = new ArrayList<>(5);
        changes.add(new RowChange(11, Op.INSERT, null, contact));
        for (int a = 0; a < 3; a++) {
            changes.add(new RowChange(12, Op.INSERT, null, new Object[] {
                300_000L + n * 3L + a,
                contactId,
                account,
                pick(r, KIND),
                text(r, 30 + r.nextInt(30)),
                micros + r.nextLong(30 * 86_400_000_000L),
                new BigDecimal(r.nextLong(100_000_000L)).movePointLeft(2).toPlainString(),
                text(r, 100 + r.nextInt(150)),
                r.nextInt(4) == 0
            }));
        }
        changes.add(new RowChange(13, Op.UPDATE, null, new Object[] {
            account,
            pick(r, LAST) + " " + pick(r, COMPANY) + " #" + account,
            pick(r, INDUSTRY),
            new BigDecimal(r.nextLong(100_000_000_000L)).movePointLeft(2).toPlainString(),
            T0 - 86_400_000_000L * 400,
            text(r, 120)
        }));
        return new Transaction(0, micros + 150, 0x4_0000_0000L + n * 9_000L, Long.toString(2_000_000 + n), changes);
    }
}
