package dev.backtrack.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.repository.model.Op;
import dev.backtrack.repository.model.RowChange;
import dev.backtrack.repository.model.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionAssemblerTest {

    @Test
    void aTransactionResentAfterAReconnectReplacesThePartReceivedBefore(@TempDir Path dir) throws Exception {
        TransactionAssembler assembler = new TransactionAssembler(dir, null, 1024);
        assembler.begin("1047");
        for (int i = 0; i < 100; i++) {
            assembler.add("1047", 5, insert(i));
        }
        assertEquals(1, spillFiles(dir), "the first part went to a spill file");
        // the connector reconnected and sends transaction 1047 again from its BEGIN
        assembler.begin("1047");
        assertEquals(0, spillFiles(dir), "the dropped part's spill file is gone");
        for (int i = 0; i < 3; i++) {
            assembler.add("1047", 5, insert(i));
        }
        Transaction tx = assembler.end(42);
        List<Object> ids = new ArrayList<>();
        tx.changes().forEach(c -> ids.add(c.after()[0]));
        assertEquals(List.of(0L, 1L, 2L), ids);
    }

    @Test
    void anotherTransactionBeginningInsideAnOpenOneIsRefused(@TempDir Path dir) {
        TransactionAssembler assembler = new TransactionAssembler(dir, null, 1024);
        assembler.begin("7");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> assembler.begin("8"));
        assertTrue(e.getMessage().contains("8 began while 7 was still open"), e.getMessage());
    }

    private static RowChange insert(long id) {
        return new RowChange(1, Op.INSERT, null, new Object[] {id, "x".repeat(100)});
    }

    private static long spillFiles(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.count();
        }
    }
}
