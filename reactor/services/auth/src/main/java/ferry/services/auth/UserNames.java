package ferry.services.auth;

import ferry.reactor.Session;

/**
 * Ferry's rule for user names: 1 to {@value #MAX_CHARS} characters of ASCII letters, digits and
 * {@code . _ - @}, starting with a letter or digit; case-sensitive; {@value Session#ANONYMOUS} is
 * reserved for the session of a server without login.
 *
 * <p>Why ASCII only: SCRAM asks for SASLprep on user names; restricting them to a set that
 * SASLprep leaves unchanged and that needs no {@code =2C}/{@code =3D} escaping removes every
 * ambiguity (two spellings of one name, names that look alike) and keeps the user file, logs and
 * shell use simple. The rule is public, so rejecting a name reveals nothing about which users exist.
 *
 * <p>Thread safety: stateless.
 */
public final class UserNames {
    /** Longest user name, in characters. */
    public static final int MAX_CHARS = 64;

    private UserNames() {}

    /** Why {@code name} is not a valid user name, or null if it is. Never echoes the name. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "user name is empty";
        }
        if (name.length() > MAX_CHARS) {
            return "user name is " + name.length() + " characters, limit " + MAX_CHARS;
        }
        char first = name.charAt(0);
        if (!isLetterOrDigit(first)) {
            return "user name must start with an ASCII letter or digit";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isLetterOrDigit(c) && c != '.' && c != '_' && c != '-' && c != '@') {
                return "user name may contain only ASCII letters, digits and . _ - @ (position " + (i + 1) + ")";
            }
        }
        if (name.equals(Session.ANONYMOUS)) {
            return "user name \"" + Session.ANONYMOUS + "\" is reserved for servers without login";
        }
        return null;
    }

    /** @throws IllegalArgumentException with {@link #problem}'s text when the name is invalid */
    public static String check(String name) {
        String p = problem(name);
        if (p != null) {
            throw new IllegalArgumentException(p);
        }
        return name;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
