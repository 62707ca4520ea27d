package ferry.cli.command;

import ferry.cli.args.ParsedArgs;
import java.util.Map;

/**
 * One run of a command: where it prints ({@link #console()}), what it was given
 * ({@link #args()}), and how it was called ({@link #path()}, e.g. {@code "ferry serve"}, for
 * messages).
 *
 * @param console the terminal, already configured by the global options
 * @param path    the command as typed, for messages
 * @param args    parsed options and positional arguments
 * @param services what the dispatcher shares with commands, by type (the login strategy, help);
 *                 a map so this package needs no type of the packages above it
 */
public record Invocation(Console console, String path, ParsedArgs args, Map<Class<?>, Object> services) {
    /** The shared service of {@code type}; IllegalStateException when the dispatcher has none. */
    public <T> T service(Class<T> type) {
        Object s = services.get(type);
        if (s == null) {
            throw new IllegalStateException("no " + type.getSimpleName() + " given to commands");
        }
        return type.cast(s);
    }
}
