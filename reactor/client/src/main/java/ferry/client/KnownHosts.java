package ferry.client;

import ferry.protocol.tls.Fingerprint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The servers this user trusts, as ssh's {@code known_hosts}: one line per server,
 * {@code host:port SHA256:fingerprint} (of the server's TLS certificate), {@code #} comments.
 * Kept beside the credentials file: {@code $XDG_CONFIG_HOME/ferry/known_hosts} (else
 * {@code ~/.config/ferry/known_hosts}), owner-only.
 *
 * <p>Thread safety: reads and appends are synchronized on this object; other processes appending
 * at the same time may interleave whole lines, which the format tolerates.
 */
public final class KnownHosts {
    /** A server's line: the fingerprint and where it is, for messages. */
    public record Entry(String fingerprint, int line) {}

    private final Path file;

    public KnownHosts(Path file) {
        this.file = file;
    }

    /** The default file for this environment. */
    public static KnownHosts inDefaultPlace(Map<String, String> env) {
        return new KnownHosts(CredentialsResolver.defaultFile(env).resolveSibling("known_hosts"));
    }

    public Path file() {
        return file;
    }

    /** The entry for {@code hostPort}, or null when it was never trusted. */
    public synchronized Entry lookup(String hostPort) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            if (parts.length >= 2 && parts[0].equalsIgnoreCase(hostPort)) {
                try {
                    return new Entry(Fingerprint.parse(parts[1]), i + 1);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage());
                }
            }
        }
        return null;
    }

    /** Appends {@code hostPort}'s fingerprint, creating the file (and folder) owner-only. */
    public synchronized void add(String hostPort, String fingerprint) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        }
        Files.writeString(file, hostPort + " " + Fingerprint.parse(fingerprint) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
    }
}
