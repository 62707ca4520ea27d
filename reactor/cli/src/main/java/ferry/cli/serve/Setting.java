package ferry.cli.serve;

import ferry.cli.args.Option;
import ferry.reactor.ServerConfig;

/**
 * One {@code ferry serve} setting: the same name as a flag ({@code --workers 8}) and as a config
 * file key ({@code workers = 8}), how a value is applied to {@link ServeSettings}, and how the
 * effective value is read back (for help defaults and {@code --print-config}).
 *
 * @param option   the flag; its name is the config key
 * @param property the ServerConfig property it sets (e.g. {@code workerThreads}), or null; used
 *                 to translate the core's validation messages into flag names
 * @param apply    applies a parsed value
 * @param read     the effective value after everything was applied; null for aliases that have
 *                 no state of their own ({@code anonymous-read})
 * @param isPath   a folder or file path: relative values in a config file are relative to the file
 * @param <T>      the value's type
 */
public record Setting<T>(Option<T> option, String property, Applier<T> apply, Reader<T> read, boolean isPath) {
    interface Applier<T> {
        void apply(ServeSettings s, T value);
    }

    interface Reader<T> {
        T read(ServeSettings s, ServerConfig c);
    }

    String name() {
        return option.name();
    }

    /** The effective value as config-file text, or null when the setting has no state of its own. */
    String format(ServeSettings s, ServerConfig c) {
        return read == null ? null : option.type().format(read.read(s, c));
    }
}
