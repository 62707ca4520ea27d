package ferry.cli.remote;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Paths on a server as the file ops take them: relative to the user's home folder there,
 * {@code /}-separated, {@code ""} for the home folder itself. Joining, last names, and the
 * shell's working folder ({@link #resolve}).
 *
 * <p>Thread safety: stateless.
 */
public final class RemotePaths {
    private RemotePaths() {}

    /** {@code dir/name}; {@code name} when {@code dir} is the home folder. */
    public static String join(String dir, String name) {
        String d = strip(dir);
        return d.isEmpty() ? name : d + "/" + name;
    }

    /** Without leading and trailing slashes: {@code /a/b/} is {@code a/b}, {@code /} is {@code ""}. */
    public static String strip(String path) {
        int s = 0;
        int e = path.length();
        while (s < e && path.charAt(s) == '/') {
            s++;
        }
        while (e > s && path.charAt(e - 1) == '/') {
            e--;
        }
        return path.substring(s, e);
    }

    /** The last name of {@code path}: {@code c} for {@code a/b/c/}; {@code ""} for the home folder. */
    public static String name(String path) {
        String p = strip(path);
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }

    /** The folder holding {@code path}: {@code a/b} for {@code a/b/c}; {@code ""} for a top-level name. */
    static String parent(String path) {
        String p = strip(path);
        int slash = p.lastIndexOf('/');
        return slash < 0 ? "" : p.substring(0, slash);
    }

    /** {@code /x} for showing a path to a person: the home folder is {@code /}. */
    public static String shown(String path) {
        return "/" + strip(path);
    }

    /**
     * Whether {@code name}, as a server listed it, is safe as one local file name: not empty,
     * not {@code .} or {@code ..}, no separator, NUL or other control character (the server would
     * refuse the path anyway). A listing is data from the network; a
     * hostile server must not steer a recursive download outside its target folder.
     */
    public static boolean isSafeName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0 && !hasControl(name);
    }

    /** Whether {@code s} holds a Unicode control character (category Cc, NUL included), which the server refuses in paths. */
    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.getType(s.charAt(i)) == Character.CONTROL) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code name} as a server listed it, made safe to print on a terminal: every control
     * character (C0, DEL and C1: U+009B alone starts an escape sequence on many terminals) as
     * {@code \xNN}, and a backslash as {@code \\} so the escapes cannot be confused with a name
     * that holds them literally. Names are data from the network (or from whoever made files on
     * the server): printed raw, they could move the cursor, rewrite earlier lines or the title.
     */
    public static String displayName(String name) {
        StringBuilder b = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean control = Character.getType(c) == Character.CONTROL;
            if (b == null) {
                if (!control && c != '\\') {
                    continue;
                }
                b = new StringBuilder(name.length() + 8).append(name, 0, i);
            }
            if (control) {
                b.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
            } else if (c == '\\') {
                b.append("\\\\");
            } else {
                b.append(c);
            }
        }
        return b == null ? name : b.toString();
    }

    /**
     * {@code arg} against the working folder {@code cwd} (both relative to the home folder):
     * an argument starting with {@code /} starts at the home folder; {@code .} and {@code ..}
     * segments are worked out here (the server refuses {@code ..}).
     *
     * @throws IllegalArgumentException {@code ..} would leave the home folder
     */
    public static String resolve(String cwd, String arg) {
        Deque<String> parts = new ArrayDeque<>();
        if (!arg.startsWith("/")) {
            for (String p : strip(cwd).split("/")) {
                if (!p.isEmpty()) {
                    parts.addLast(p);
                }
            }
        }
        for (String p : arg.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException("'" + arg + "' leads above your home folder (/)");
                }
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }
}
