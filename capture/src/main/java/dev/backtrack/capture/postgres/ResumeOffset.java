package dev.backtrack.capture.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backtrack.connectors.SourceException;

/**
 * The offset the PostgreSQL connector resumes from after a restart. The connector's own resume search
 * (its WAL position locator, used when the offset has {@code lsn_proc}) restarts at "the message after
 * the one with the stored LSN"; with transactions interleaved in the WAL that skips whole transactions
 * (a kill -9 test under three writers lost about one in 5,000). Without {@code lsn_proc} the connector
 * streams from the stored commit LSN unfiltered: PostgreSQL sends every transaction committing at or
 * after it, and the agent drops the ones already logged by their commit position. Thread-safe.
 */
public final class ResumeOffset {
    static final String LAST_PROCESSED_LSN = "lsn_proc";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumeOffset() {}

    /** The stored offset (JSON) without the key that turns the connector's resume search on; "" stays "". */
    public static String of(String storedJson) {
        if (storedJson == null || storedJson.isEmpty()) {
            return "";
        }
        try {
            ObjectNode offset = (ObjectNode) JSON.readTree(storedJson);
            offset.remove(LAST_PROCESSED_LSN);
            return JSON.writeValueAsString(offset);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new SourceException("the source offset stored in the repository is not a JSON object ("
                    + e.getMessage() + "): run 'backtrack verify' on the repository");
        }
    }
}
