package ferry.cli;

import ferry.cli.command.Console;
/**
 * Entry point of the {@code ferry} command (the jar's Main-Class; {@code bin/ferry} runs it).
 * See {@link Cli} for the conventions and {@code docs/CLI.md} for the commands.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = new Cli(Console.system()).run(args);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }
}
