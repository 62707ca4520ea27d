package ferry.cli.serve;

import ferry.cli.args.ValueType;
import ferry.protocol.DigestAlgorithm;
import ferry.reactor.Right;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Value types of {@code ferry serve} settings beyond the parser's own: rights, sizes with "unlimited", digests. */
final class ServeTypes {
    private ServeTypes() {}

    /** read,write,delete,exec,admin / all (not admin) / none. */
    static ValueType<Set<Right>> rightsType() {
        return new ValueType<>() {
            @Override
            public Set<Right> parse(String text) {
                String t = text.trim();
                if (t.equalsIgnoreCase("none")) {
                    return EnumSet.noneOf(Right.class);
                }
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("empty list of rights (write none for no rights)");
                }
                return Right.parseList(t);
            }

            @Override
            public String format(Set<Right> value) {
                return value.isEmpty() ? "none" : Right.toList(value);
            }
        };
    }

    /**
     * Anonymous rights: as {@link #rightsType()} but never admin, or {@code auto} (null): the
     * secure default decided at start-up.
     */
    static ValueType<Set<Right>> rightsOrAuto() {
        ValueType<Set<Right>> rights = rightsType();
        return new ValueType<>() {
            @Override
            public Set<Right> parse(String text) {
                if (text.trim().equalsIgnoreCase("auto")) {
                    return null;
                }
                Set<Right> r = rights.parse(text);
                if (r.contains(Right.ADMIN)) {
                    throw new IllegalArgumentException("admin is never an anonymous right: give it to a user"
                            + " (ferry user set NAME --rights read,admin)");
                }
                return r;
            }

            @Override
            public String format(Set<Right> value) {
                return value == null ? "auto" : rights.format(value);
            }
        };
    }

    /** A size, or {@code unlimited} for Long.MAX_VALUE. */
    static ValueType<Long> sizeOrUnlimited() {
        return sizeOrUnlimited(0);
    }

    /** A size of at least {@code min}, or {@code unlimited} for Long.MAX_VALUE. */
    static ValueType<Long> sizeOrUnlimited(long min) {
        ValueType<Long> size = ValueType.size(min, Long.MAX_VALUE);
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                return text.trim().equalsIgnoreCase("unlimited") ? Long.MAX_VALUE : size.parse(text);
            }

            @Override
            public String format(Long value) {
                return value == Long.MAX_VALUE ? "unlimited" : size.format(value);
            }
        };
    }

    /** A digest algorithm by its wire name. */
    static ValueType<DigestAlgorithm> digestType() {
        return new ValueType<>() {
            @Override
            public DigestAlgorithm parse(String text) {
                String t = text.trim().toLowerCase(Locale.ROOT);
                for (DigestAlgorithm a : DigestAlgorithm.values()) {
                    if (a.wireName().equals(t)) {
                        return a;
                    }
                }
                throw new IllegalArgumentException("'" + text + "' is not one of sha-256, md5, none");
            }

            @Override
            public String format(DigestAlgorithm value) {
                return value.wireName();
            }
        };
    }
}
