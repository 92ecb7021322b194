package dev.backtrack.repository.codec;

import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;

/** One row change in the log's binary form (docs/FORMAT.md, "change"). Thread-safe (stateless). */
public final class ChangeCodec {
    private ChangeCodec() {}

    public static void write(ByteWriter out, RowChange c) {
        out.writeVarLong(c.schemaId());
        out.writeByte(c.op().code);
        out.writeByte((c.before() != null ? 1 : 0) | (c.after() != null ? 2 : 0));
        if (c.before() != null) {
            RowCodec.writeRow(out, c.before());
        }
        if (c.after() != null) {
            RowCodec.writeRow(out, c.after());
        }
    }

    public static RowChange read(ByteReader in) {
        int schemaId = (int) in.readVarLong();
        Op op = Op.of(in.readByte());
        int flags = in.readByte();
        Object[] before = (flags & 1) != 0 ? RowCodec.readRow(in) : null;
        Object[] after = (flags & 2) != 0 ? RowCodec.readRow(in) : null;
        return new RowChange(schemaId, op, before, after);
    }
}
