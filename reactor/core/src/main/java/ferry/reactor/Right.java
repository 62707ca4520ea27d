package ferry.reactor;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a logged-in user may do. An op that needs a right the session lacks gets {@code ERROR forbidden}. */
public enum Right {
    /** GET, STAT, LIST. */
    READ,
    /** PUT, MKDIR, RENAME. */
    WRITE,
    /** DELETE, and replacing an existing file: RENAME or PUT over it. */
    DELETE,
    /** EXEC, where the server enabled it. */
    EXEC,
    /**
     * WHO and KICK: see every connection (user, address, op, bytes) and close any. Granted only by
     * name ({@code --rights read,admin}): "all" does not include it, and it is never an anonymous
     * right ({@link ServerConfig} refuses it there).
     */
    ADMIN;

    /** What "all" means: every right but {@link #ADMIN}. Unmodifiable. */
    public static final Set<Right> ALL = Collections.unmodifiableSet(EnumSet.of(READ, WRITE, DELETE, EXEC));

    /** Every combination of rights, unmodifiable, indexed by the bit mask of its ordinals. */
    private static final Set<Right>[] FROZEN = frozenCombinations();

    @SuppressWarnings("unchecked")
    private static Set<Right>[] frozenCombinations() {
        Right[] all = values();
        Set<Right>[] sets = new Set[1 << all.length];
        for (int mask = 0; mask < sets.length; mask++) {
            EnumSet<Right> s = EnumSet.noneOf(Right.class);
            for (Right r : all) {
                if ((mask & (1 << r.ordinal())) != 0) {
                    s.add(r);
                }
            }
            sets[mask] = Collections.unmodifiableSet(s);
        }
        return sets;
    }

    /**
     * The shared unmodifiable set equal to {@code rights}: sessions keep this one instead of a
     * copy each, which on 10,000 connections is 10,000 objects less. Any thread.
     */
    public static Set<Right> frozen(Set<Right> rights) {
        int mask = 0;
        for (Right r : rights) {
            mask |= 1 << r.ordinal();
        }
        return FROZEN[mask];
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a comma-separated list like {@code read,write}; "all" means {@link #ALL} (every right
     * but admin, which is only ever named: {@code all,admin}), "" none.
     */
    public static Set<Right> parseList(String list) {
        EnumSet<Right> set = EnumSet.noneOf(Right.class);
        for (String part : list.split(",")) {
            String p = part.trim().toUpperCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("ALL")) {
                set.addAll(ALL);
                continue;
            }
            try {
                set.add(Right.valueOf(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown right \"" + part.trim() + "\" (rights are read, write, delete, exec, admin)");
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
