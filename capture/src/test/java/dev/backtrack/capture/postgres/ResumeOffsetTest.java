package dev.backtrack.capture.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backtrack.connectors.SourceException;
import org.junit.jupiter.api.Test;

class ResumeOffsetTest {

    @Test
    void dropsOnlyTheKeyThatTurnsTheConnectorsResumeSearchOn() {
        String stored =
                "{\"transaction_id\":\"7830\",\"lsn_proc\":31784880,\"messageType\":\"COMMIT\",\"lsn_commit\":31784880,"
                        + "\"lsn\":31784880,\"txId\":7830,\"ts_usec\":1795518492953628}";
        assertEquals(
                "{\"transaction_id\":\"7830\",\"messageType\":\"COMMIT\",\"lsn_commit\":31784880,\"lsn\":31784880,"
                        + "\"txId\":7830,\"ts_usec\":1795518492953628}",
                ResumeOffset.of(stored));
    }

    @Test
    void noStoredOffsetStaysNone() {
        assertEquals("", ResumeOffset.of(""));
    }

    @Test
    void aDamagedOffsetIsAnErrorThatNamesTheFix() {
        SourceException e = assertThrows(SourceException.class, () -> ResumeOffset.of("[1,2"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("backtrack verify"), e.getMessage());
    }
}
