package dev.backtrack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backtrack.testkit.AgentObjects;
import dev.backtrack.testkit.CrmObjects;
import dev.backtrack.testkit.DumpedSchema;
import dev.backtrack.testkit.SchemaDump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL-to-PostgreSQL migration of the CRM fixture that holds every object kind: {@code migrate
 * --follow} restores it and follows while every kind of object is created, replaced, altered and
 * dropped at the source; after {@code migrate cutover} the target's schema (pg_dump --schema-only)
 * equals the source's, and its rows too (cutover validates them).
 */
class ObjectsMigrationTest {

    @Test
    void theTargetsSchemaEqualsTheSourcesAfterCutover(@TempDir Path dir) throws Exception {
        Random random = new Random(21);
        try (CaptureFixture f = new CaptureFixture("crm_objmig", dir)) {
            try (Connection c = f.connect()) {
                CrmObjects.create(c);
                CrmObjects.writeSome(c, random);
            }
            f.startAgent();
            f.cluster.createDatabase("crm_objmig_target");
            String target = f.cluster.jdbcUrl("crm_objmig_target");
            AgentProcess migrate = AgentProcess.startCommand(
                    dir.resolve("migrate.log"),
                    "migrate",
                    "--repo",
                    f.repository.toString(),
                    "--target-url",
                    target,
                    "--target-user",
                    "postgres",
                    "--follow",
                    "--poll",
                    "100");
            try (Connection c = f.connect()) {
                for (int step = 1; step <= CrmObjects.STEPS; step++) {
                    CrmObjects.writeSome(c, random);
                    CrmObjects.applyChanges(c, step);
                    CrmObjects.writeSome(c, random);
                }
            }
            f.awaitLogged();
            Thread.sleep(2000);
            assertEquals(143, migrate.terminate(), migrate.output());
            assertTrue(
                    !migrate.output().contains("refused"),
                    "every definition change applied while following:\n" + migrate.output());
            Path cutLog = dir.resolve("cutover.log");
            int code = AgentProcess.run(
                    cutLog,
                    "-Xmx512m",
                    "migrate",
                    "cutover",
                    "--repo",
                    f.repository.toString(),
                    "--target-url",
                    target,
                    "--target-user",
                    "postgres",
                    "--config",
                    f.config.toString(),
                    "--quiet",
                    "1");
            assertEquals(0, code, Files.readString(cutLog));
            f.stopAgent();
            SchemaDump.Options dump = SchemaDump.Options.defaults()
                    .withAgent(AgentObjects.defaults().withPublications(f.database));
            DumpedSchema source = SchemaDump.of(f.cluster, f.database, dump);
            DumpedSchema migrated = withoutMigrationState(SchemaDump.of(f.cluster, "crm_objmig_target", dump));
            assertEquals(source, migrated, () -> SchemaDump.diff(source, migrated));
        }
    }

    /** The target keeps the migration's own progress table (it refuses a second follow after cutover). */
    private static DumpedSchema withoutMigrationState(DumpedSchema d) {
        return new DumpedSchema(d.sections().stream()
                .filter(s -> !s.name().startsWith("backtrack_migration"))
                .toList());
    }
}
