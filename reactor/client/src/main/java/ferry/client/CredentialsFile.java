package ferry.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * A client credentials file: UTF-8 {@code key=value} lines, {@code #} comments.
 *
 * <pre>
 * # ~/.config/ferry/credentials  (chmod 600)
 * user=alice
 * password=correct horse battery staple
 * </pre>
 *
 * The password is everything after the first '=' up to the end of the line (spaces kept). The file
 * must be readable by its owner only, as OpenSSH demands of private keys: one that group or others
 * can read is refused with a {@code chmod 600} hint.
 *
 * <p>Thread safety: stateless.
 */
public final class CredentialsFile {
    /** A credentials file is a few lines; anything bigger is a mistake. */
    public static final int MAX_BYTES = 64 * 1024;

    private CredentialsFile() {}

    /** Reads and checks a credentials file. */
    public static Credentials read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("credentials file " + file + (Files.exists(file) ? " is not a regular file" : " does not exist"));
        }
        checkOwnerOnly(file);
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("credentials file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        char[] text;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            text = new char[cb.remaining()];
            cb.get(text);
            Arrays.fill(cb.array(), '\0');
        } catch (CharacterCodingException e) {
            throw new IOException("credentials file " + file + " is not valid UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        try {
            return parse(text, file.toString());
        } finally {
            Arrays.fill(text, '\0');
        }
    }

    /** Parses the content; the password is copied out of {@code text}. */
    static Credentials parse(char[] text, String source) throws IOException {
        String user = null;
        char[] password = null;
        int lineNo = 0;
        int i = 0;
        while (i < text.length) {
            int end = i;
            while (end < text.length && text[end] != '\n') {
                end++;
            }
            int lineEnd = end > i && text[end - 1] == '\r' ? end - 1 : end;
            lineNo++;
            int s = i;
            while (s < lineEnd && (text[s] == ' ' || text[s] == '\t')) {
                s++;
            }
            if (s < lineEnd && text[s] != '#') {
                int eq = s;
                while (eq < lineEnd && text[eq] != '=') {
                    eq++;
                }
                if (eq == lineEnd) {
                    throw new IOException(source + ":" + lineNo + ": expected key=value");
                }
                String key = new String(text, s, eq - s).strip();
                switch (key) {
                    case "user":
                        user = new String(text, eq + 1, lineEnd - eq - 1).strip();
                        break;
                    case "password":
                        if (password != null) {
                            Arrays.fill(password, '\0');
                        }
                        password = Arrays.copyOfRange(text, eq + 1, lineEnd);
                        break;
                    default:
                        throw new IOException(source + ":" + lineNo + ": unknown key \"" + key + "\" (expected user or password)");
                }
            }
            i = end + 1;
        }
        if (user == null || user.isEmpty() || password == null || password.length == 0) {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            throw new IOException(source + ": a credentials file needs both user= and password= lines");
        }
        return new Credentials(user, password, "file " + source);
    }

    /** Refuses a file that group or others may access. */
    static void checkOwnerOnly(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return; // no POSIX permissions here (Windows): the folder's ACL decides
        }
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        EnumSet<PosixFilePermission> extra = EnumSet.copyOf(perms);
        extra.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (!extra.isEmpty()) {
            throw new IOException("credentials file " + file + " can be read by other users (permissions "
                    + PosixFilePermissions.toString(perms) + "); refusing to use it: chmod 600 " + file);
        }
    }
}
