package dev.retina.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code retina} command line. Each subcommand is one class in this package; this class only
 * wires them together and maps picocli's parse errors to a usage message and exit code 2.
 */
@Command(
        name = "retina",
        mixinStandardHelpOptions = true,
        versionProvider = RetinaCli.Version.class,
        description = "Streaming image classification on Apache Kafka with a pure-Java CNN engine.",
        subcommands = {
            CommandLine.HelpCommand.class,
            AppCommand.class,
            DemoCommand.class,
            ProduceCommand.class,
            TailCommand.class,
            StatsCommand.class,
            StackCommand.class,
            InferCommand.class,
            ClassifyCommand.class,
            InspectCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            ReplayCommand.class,
            BenchCommand.class,
            PublishModelCommand.class,
            ModelsCommand.class,
        })
public final class RetinaCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** A configured command line; tests call {@code execute} on it instead of {@link #main}. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new RetinaCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(RetinaCli::reportFailure);
        return cli;
    }

    /**
     * A command that fails prints one line naming what went wrong and exits with 1; the stack trace
     * only with {@code RETINA_DEBUG=1}, since users need the message, not our internals.
     */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if ("1".equals(System.getenv("RETINA_DEBUG"))) {
            e.printStackTrace(cmd.getErr());
        }
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        cmd.getErr().println("retina " + cmd.getCommandName() + ": error: " + message);
        cmd.getErr().flush();
        return 1;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand.");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RetinaCli.class.getPackage().getImplementationVersion();
            return new String[] {"retina " + (v == null ? "development build" : v)};
        }
    }
}
