package ferry.reactor;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a logged-in user may do. An op that needs a right the session lacks gets {@code ERROR forbidden}. */
public enum Right {
    /** GET, STAT, LIST. */
    READ,
    /** PUT, MKDIR, RENAME (and overwriting on PUT). */
    WRITE,
    /** DELETE, and RENAME over an existing target. */
    DELETE,
    /** EXEC, where the server enabled it. */
    EXEC;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a comma-separated list like {@code read,write}; "all" means every right, "" none. */
    public static Set<Right> parseList(String list) {
        EnumSet<Right> set = EnumSet.noneOf(Right.class);
        for (String part : list.split(",")) {
            String p = part.trim().toUpperCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("ALL")) {
                return EnumSet.allOf(Right.class);
            }
            try {
                set.add(Right.valueOf(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown right \"" + part.trim() + "\" (rights are read, write, delete, exec)");
            }
        }
        return set;
    }

    /** The inverse of {@link #parseList}. */
    public static String toList(Set<Right> rights) {
        StringBuilder sb = new StringBuilder();
        for (Right r : rights) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r.wireName());
        }
        return sb.toString();
    }
}
