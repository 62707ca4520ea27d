package ferry.cli.serve;

import ferry.cli.command.CliException;
import ferry.cli.command.ErrorMessages;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folders {@code ferry serve} works with: the served root (refused when missing, unless it
 * may be created), the config folder (never inside the root), and folder settings read from a
 * config file as serve reads them.
 */
final class ServeFolders {
    private ServeFolders() {}

    /**
     * A path as a config file gives it: {@code ~/} is the home folder (no shell expands it here),
     * and a relative path is relative to the file's folder {@code base}.
     */
    static String pathValue(String value, Path base) {
        String v = value;
        if (v.equals("~") || v.startsWith("~/")) {
            v = System.getProperty("user.home") + v.substring(1);
        }
        if (!v.isEmpty() && !Path.of(v).isAbsolute()) {
            v = base.resolve(v).normalize().toString();
        }
        return v;
    }

    /**
     * The {@code config-dir} a serve config file sets, resolved as serve would, or null when it
     * sets none (for {@code ferry user --config FILE}, which edits that server's users).
     */
    static Path configDirOf(Path configFile) throws UsageException {
        return pathOf(configFile, "config-dir");
    }

    /** The folder setting {@code key} ({@code root}, {@code config-dir}) of a serve config file, or null when it has none. */
    static Path pathOf(Path configFile, String key) throws UsageException {
        for (ConfigFile.Entry e : ConfigFile.read(configFile)) {
            if (e.key().equals(key)) {
                try {
                    return Path.of(ValueType.text().parse(pathValue(e.value(), configFile.toAbsolutePath().getParent())));
                } catch (IllegalArgumentException ex) {
                    throw new UsageException(configFile + ":" + e.line() + ": invalid value for " + key + ": "
                            + ex.getMessage());
                }
            }
        }
        return null;
    }

    /**
     * The config folder, absolute; refused when it is inside the served root (clients could then
     * download the user store and the demo password). Compares real paths, so a symlink cannot hide it.
     */
    static Path checkConfigDir(Path configured, Path root) throws CliException {
        Path dir = configured.toAbsolutePath().normalize();
        Path realDir = realPathOfNearest(dir);
        Path realRoot = realPathOfNearest(root);
        if (realDir.startsWith(realRoot)) {
            throw new CliException("config folder " + dir + " is inside the served root " + root
                    + ", where clients could download the user store: choose a --config-dir outside the root");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new CliException("config folder " + dir + " is not a folder");
        }
        return dir;
    }

    /** The real path of {@code p}, or of its nearest existing ancestor with the rest appended. */
    static Path realPathOfNearest(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(p)).normalize();
        } catch (IOException e) {
            return p;
        }
    }

    /** Refuses a root that is not a folder, or is missing without {@code --create-root} (so a typo is not served). */
    static void checkRoot(Path configured, boolean create) throws CliException {
        Path root = configured.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new CliException("root " + root + " is not a folder");
        }
        if (!Files.exists(root) && !create) {
            throw new CliException("root folder " + root + " does not exist (a typo? to create it, add --create-root)");
        }
    }

    /** The root, absolute, created when missing ({@link #checkRoot} allowed that). */
    static Path prepareRoot(Path configured) throws CliException {
        Path root = configured.toAbsolutePath().normalize();
        checkRoot(root, true);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new CliException("cannot create root folder " + root + ": " + ErrorMessages.reason(e), e);
        }
        return root;
    }
}
