package ferry.protocol.scram;

import ferry.protocol.ErrorCode;
import ferry.protocol.ProtocolException;
import java.util.Base64;

/**
 * The shared grammar of SCRAM messages (RFC 5802 section 7): comma-separated {@code x=value}
 * attributes, saslname escaping, printable nonces, base64. Errors are {@link ProtocolException}s
 * with code {@code bad_request} (malformed) or {@code too_large} (over a limit), so a server can
 * hand them straight to the client.
 *
 * <p>Thread safety: stateless.
 */
public final class ScramSyntax {
    /** Longest SCRAM message accepted, in characters; real ones are under 200. */
    public static final int MAX_MESSAGE_CHARS = 1024;
    /** Longest nonce part (client's or server's) accepted, in characters. */
    public static final int MAX_NONCE_CHARS = 256;
    /** Longest user name the grammar accepts; servers may be stricter. */
    public static final int MAX_USERNAME_CHARS = 255;
    /** Longest salt accepted, in bytes (Ferry uses 16). */
    public static final int MAX_SALT_BYTES = 128;

    private ScramSyntax() {}

    static ProtocolException bad(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, "SCRAM: " + message);
    }

    static ProtocolException tooLarge(String message) {
        return new ProtocolException(ErrorCode.TOO_LARGE, "SCRAM: " + message);
    }

    static void checkLength(String msg, String what) throws ProtocolException {
        if (msg.length() > MAX_MESSAGE_CHARS) {
            throw tooLarge(what + " is " + msg.length() + " characters, limit " + MAX_MESSAGE_CHARS);
        }
    }

    /** The value of attribute {@code name} in {@code part} ("n=alice" for 'n'); an error otherwise. */
    static String attribute(String part, char name, String what) throws ProtocolException {
        if (part.length() < 2 || part.charAt(0) != name || part.charAt(1) != '=') {
            throw bad("expected " + what + " (" + name + "=...) but got \"" + printable(part) + "\"");
        }
        return part.substring(2);
    }

    /** Extensions after the known attributes must at least look like {@code x=value}. */
    static void checkExtensions(String[] parts, int from) throws ProtocolException {
        for (int i = from; i < parts.length; i++) {
            String p = parts[i];
            if (p.length() < 2 || !isAlpha(p.charAt(0)) || p.charAt(1) != '=') {
                throw bad("malformed attribute \"" + printable(p) + "\"");
            }
        }
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Checks a nonce: printable ASCII except ',' (RFC 5802 "printable"), 1 to {@code max} characters. */
    static void checkNonce(String nonce, int max, String what) throws ProtocolException {
        if (nonce.isEmpty()) {
            throw bad(what + " is empty");
        }
        if (nonce.length() > max) {
            throw tooLarge(what + " is " + nonce.length() + " characters, limit " + max);
        }
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                throw bad(what + " has a character outside printable ASCII at position " + (i + 1));
            }
        }
    }

    /** Escapes a user name for {@code n=}: ',' becomes "=2C" and '=' becomes "=3D". */
    public static String encodeName(String name) {
        if (name.indexOf(',') < 0 && name.indexOf('=') < 0) {
            return name;
        }
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    /** The inverse of {@link #encodeName}, strict about stray '='. */
    static String decodeName(String saslname) throws ProtocolException {
        if (saslname.isEmpty()) {
            throw bad("user name is empty");
        }
        if (saslname.length() > MAX_USERNAME_CHARS * 3) {
            throw tooLarge("user name is " + saslname.length() + " characters, limit " + MAX_USERNAME_CHARS);
        }
        StringBuilder sb = new StringBuilder(saslname.length());
        for (int i = 0; i < saslname.length(); i++) {
            char c = saslname.charAt(i);
            if (c == '=') {
                if (saslname.startsWith("2C", i + 1)) {
                    sb.append(',');
                } else if (saslname.startsWith("3D", i + 1)) {
                    sb.append('=');
                } else {
                    throw bad("user name has '=' not followed by 2C or 3D");
                }
                i += 2;
            } else if (c == 0) {
                throw bad("user name contains NUL");
            } else {
                sb.append(c);
            }
        }
        if (sb.length() > MAX_USERNAME_CHARS) {
            throw tooLarge("user name is " + sb.length() + " characters, limit " + MAX_USERNAME_CHARS);
        }
        return sb.toString();
    }

    static byte[] base64(String value, String what) throws ProtocolException {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw bad(what + " is not valid base64");
        }
    }

    static String base64(byte[] value) {
        return Base64.getEncoder().encodeToString(value);
    }

    /** A short, log-safe rendering of untrusted text for error messages. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 40; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (s.length() > 40) {
            sb.append("...");
        }
        return sb.toString();
    }
}
