package ferry.services.auth;

import ferry.reactor.Right;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The first-run convenience for {@code make run}: on a loopback-only server whose store has no
 * users, create user {@value #NAME} with a random password, save it in an owner-only credentials
 * file (the client's credentials-file format, so {@code FERRY_CREDENTIALS=that-file ferry ...}
 * works) and return it once so the caller can print it. Later runs find the user and create
 * nothing, so the password is printed exactly once.
 *
 * <p>Never off loopback: a demo account with a printed password is for the machine's own user.
 *
 * <p>Thread safety: stateless; does disk I/O and PBKDF2 (not for an event loop).
 */
public final class DemoUser {
    public static final String NAME = "demo";
    /** The credentials file's name inside the folder the caller chooses. */
    public static final String CREDENTIALS_FILE_NAME = "demo-credentials";
    public static final Set<Right> RIGHTS = Collections.unmodifiableSet(EnumSet.of(Right.READ, Right.WRITE, Right.DELETE));
    /** 18 random bytes: a 24-character password, 144 bits. */
    public static final int PASSWORD_BYTES = 18;

    /** What {@link #ensure} created. */
    public record Created(String user, String password, Path credentialsFile) {
        /** The one-time message for the operator. */
        public String announcement() {
            return "created demo user \"" + user + "\" with password " + password + " (saved in " + credentialsFile
                    + "; clients can use FERRY_CREDENTIALS=" + credentialsFile + ")";
        }
    }

    private DemoUser() {}

    /**
     * Creates the demo user if the store has no users.
     *
     * @param folder       where to save {@value #CREDENTIALS_FILE_NAME}; should not be inside the
     *                     served root, or the file becomes downloadable
     * @param loopbackOnly whether the server listens on loopback only
     * @param iterations   PBKDF2 rounds ({@link PasswordHasher#DEFAULT_ITERATIONS} normally)
     * @return the new credentials, or empty when the store already has users
     * @throws IllegalStateException when not loopback-only
     */
    public static Optional<Created> ensure(UserStore store, Path folder, boolean loopbackOnly, int iterations)
            throws IOException {
        if (!loopbackOnly) {
            throw new IllegalStateException("a demo user is only created for a server that listens on loopback");
        }
        if (store.countUsers() > 0) {
            return Optional.empty();
        }
        SecureRandom random = new SecureRandom();
        byte[] raw = new byte[PASSWORD_BYTES];
        random.nextBytes(raw);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        PasswordHasher.Keys keys = new PasswordHasher(random).hash(password.toCharArray(), iterations);
        boolean[] created = new boolean[1];
        store.update(users -> {
            if (!users.isEmpty()) {
                return users; // someone added a user meanwhile: no demo account
            }
            created[0] = true;
            return users.with(new UserRecord(NAME, keys.iterations(), keys.salt(), keys.storedKey(), keys.serverKey(), RIGHTS, ""));
        });
        if (!created[0]) {
            return Optional.empty();
        }
        SecureFiles.createPrivateDirectories(folder);
        Path file = folder.resolve(CREDENTIALS_FILE_NAME);
        String content = "# Ferry credentials for the demo user (created by `make run`). Keep owner-only.\n"
                + "user=" + NAME + "\npassword=" + password + "\n";
        SecureFiles.writeAtomically(file, content.getBytes(StandardCharsets.UTF_8));
        return Optional.of(new Created(NAME, password, file));
    }
}
