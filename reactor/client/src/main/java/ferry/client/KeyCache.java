package ferry.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM keys a login derived (PBKDF2, about a second at 600,000 rounds), kept per server and
 * user so that the next command logs in with a few HMACs instead: {@code scram-keys} beside the
 * default credentials file ({@code $XDG_CONFIG_HOME/ferry/}), owner-only like it.
 *
 * <p>Never the password. An entry holds the salt and iteration count the keys were derived for
 * (a password changed on the server comes with a new salt, and the keys are derived afresh) and
 * a check, HMAC-SHA256 keyed with the ClientKey over the password: the keys are offered only to
 * a login with the same password, so a wrong password typed later is still refused by the
 * server, not logged in by the cache. Like the credentials file, the file lets whoever can read
 * it log in as that user on that server (and guess the password offline): hence owner-only,
 * and a file others can read is neither used nor written.
 *
 * <p>A cache that cannot be read or written is skipped: it never makes a login fail.
 *
 * <p>Line format: {@code v1 HOST:PORT base64url(user) iterations salt clientKey serverKey check}
 * (base64). One line per server and user.
 *
 * <p>Thread safety: none; one command's thread. Two processes writing at once: the last whole
 * file wins (written to a temp file and renamed).
 */
public final class KeyCache {
    public static final String FILE_NAME = "scram-keys";
    private static final String VERSION = "v1";
    private static final byte[] CHECK_LABEL = "ferry key cache\0".getBytes(StandardCharsets.US_ASCII);

    private final Path file;

    public KeyCache(Path file) {
        this.file = file;
    }

    /** Beside the default credentials file: {@code $XDG_CONFIG_HOME/ferry/scram-keys} (else {@code ~/.config/ferry/}). */
    public static KeyCache inDefaultPlace(Map<String, String> env) {
        return new KeyCache(CredentialsResolver.defaultFile(env).resolveSibling(FILE_NAME));
    }

    public Path file() {
        return file;
    }

    /** The keys derived earlier for {@code user} on {@code server} from this {@code password}, or null. */
    public ScramClient.Keys find(String server, String user, char[] password) {
        try {
            for (Entry e : read()) {
                if (e.server.equals(server) && e.user.equals(user)
                        && MessageDigest.isEqual(e.check, check(e.keys.clientKey(), password))) {
                    return e.keys;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // unreadable, open to others, or damaged: as if empty
        }
        return null;
    }

    /** Keeps {@code keys} for {@code user} on {@code server}, replacing what was kept for them; false if it could not. */
    public boolean remember(String server, String user, ScramClient.Keys keys, char[] password) {
        try {
            List<Entry> entries = new ArrayList<>();
            for (Entry e : read()) {
                if (!(e.server.equals(server) && e.user.equals(user))) {
                    entries.add(e);
                }
            }
            entries.add(new Entry(server, user, keys, check(keys.clientKey(), password)));
            write(entries);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Drops what was kept for {@code user} on {@code server} (the server refused those keys). */
    public void forget(String server, String user) {
        try {
            List<Entry> entries = new ArrayList<>();
            boolean found = false;
            for (Entry e : read()) {
                if (e.server.equals(server) && e.user.equals(user)) {
                    found = true;
                } else {
                    entries.add(e);
                }
            }
            if (found) {
                write(entries);
            }
        } catch (IOException | RuntimeException ignored) {
            // nothing kept, or nothing to be done
        }
    }

    private record Entry(String server, String user, ScramClient.Keys keys, byte[] check) {
        String line() {
            Base64.Encoder b = Base64.getEncoder();
            return String.join(" ", VERSION, server,
                    Base64.getUrlEncoder().withoutPadding().encodeToString(user.getBytes(StandardCharsets.UTF_8)),
                    Integer.toString(keys.iterations()), b.encodeToString(keys.salt()),
                    b.encodeToString(keys.clientKey()), b.encodeToString(keys.serverKey()), b.encodeToString(check));
        }

        static Entry parse(String line) {
            String[] f = line.split(" ");
            if (f.length != 8 || !f[0].equals(VERSION)) {
                return null; // another version's line, or damage: skipped
            }
            Base64.Decoder b = Base64.getDecoder();
            return new Entry(f[1], new String(Base64.getUrlDecoder().decode(f[2]), StandardCharsets.UTF_8),
                    new ScramClient.Keys(b.decode(f[4]), Integer.parseInt(f[3]), b.decode(f[5]), b.decode(f[6])),
                    b.decode(f[7]));
        }
    }

    private List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return entries;
        }
        CredentialsFile.checkOwnerOnly(file);
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Entry e = line.isBlank() ? null : Entry.parse(line.strip());
            if (e != null) {
                entries.add(e);
            }
        }
        return entries;
    }

    private void write(List<Entry> entries) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir.getRoot(), PosixFileAttributeView.class) != null;
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        Path tmp = posix
                ? Files.createTempFile(dir, FILE_NAME, ".tmp", PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, FILE_NAME, ".tmp");
        try {
            StringBuilder text = new StringBuilder("# SCRAM keys ferry derived at login, per server and user (no passwords);"
                    + " delete the file to forget them\n");
            for (Entry e : entries) {
                text.append(e.line()).append('\n');
            }
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** HMAC-SHA256(clientKey, label || UTF-8 password): ties the keys to the password without storing it. */
    static byte[] check(byte[] clientKey, char[] password) {
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[utf8.remaining()];
        utf8.get(bytes);
        Arrays.fill(utf8.array(), (byte) 0);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clientKey, "HmacSHA256"));
            mac.update(CHECK_LABEL);
            return mac.doFinal(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this Java", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
