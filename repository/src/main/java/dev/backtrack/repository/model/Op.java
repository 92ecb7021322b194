package dev.backtrack.repository.model;

/** What a row change did. The code is the byte stored in the log. */
public enum Op {
    INSERT(1),
    UPDATE(2),
    DELETE(3),
    TRUNCATE(4),
    /** A logical decoding message in the transaction: after = [prefix, content]; schemaId 0. */
    MESSAGE(5),
    /** The table's definition changed: schemaId is the new version; after = [command tag, statement]. */
    SCHEMA(6),
    /** The table was dropped: schemaId is its last version. */
    DROP(7);

    public final int code;

    Op(int code) {
        this.code = code;
    }

    public static Op of(int code) {
        for (Op op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown op code " + code);
    }
}
