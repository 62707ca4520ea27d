package ferry.cli;

import ferry.cli.args.ParsedArgs;

/**
 * One run of a command: where it prints ({@link #console()}), what it was given
 * ({@link #args()}), and how it was called ({@link #path()}, e.g. {@code "ferry serve"}, for
 * messages).
 *
 * @param console the terminal, already configured by the global options
 * @param path    the command as typed, for messages
 * @param args    parsed options and positional arguments
 * @param cli     the command line interface that dispatched (for help and shared services)
 */
public record Invocation(Console console, String path, ParsedArgs args, Cli cli) {
}
