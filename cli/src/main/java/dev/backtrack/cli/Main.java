package dev.backtrack.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code backtrack} command. */
@Command(
        name = "backtrack",
        mixinStandardHelpOptions = true,
        version = "backtrack 0.1.0",
        description = "Change-data-capture backup and point-in-time restore for CRM databases.",
        subcommands = {
            AgentCommand.class,
            BackupsCommand.class,
            RestoreCommand.class,
            MarkCommand.class,
            VerifyCommand.class,
            ExpireCommand.class,
            PassphraseCommand.class,
            CheckpointCommand.class,
            MigrateCommand.class,
            DemoCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line; returns its exit code. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof Reported r) {
                return r.exit;
            }
            System.err.println("backtrack: " + oneLine(e));
            if (System.getenv("BACKTRACK_DEBUG") != null) {
                e.printStackTrace();
            }
            return ExitCode.of(e);
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            System.err.println("backtrack: " + e.getMessage() + " (see 'backtrack "
                    + e.getCommandLine().getCommandName() + " --help')");
            return ExitCode.BAD_INPUT;
        });
        return cli.execute(args);
    }

    /**
     * An error the command has already printed (a signal is ending the JVM, which may halt before this handler runs).
     */
    static final class Reported extends RuntimeException {
        final int exit;

        Reported(Throwable cause) {
            super(cause);
            this.exit = ExitCode.of(cause);
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank()
                ? e.getClass().getSimpleName()
                : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
