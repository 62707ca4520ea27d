package ferry.services.file;

import ferry.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Structure-aware requests for the file ops: each op with its own fields, mostly of the right
 * type and mostly with plausible values (so requests get past the first check and reach deep
 * code), mixed with what an attacker sends: paths with {@code ..}, absolute paths, NUL, backslashes,
 * control characters, look-alike dots, reserved temp names, names and paths around the byte
 * limits, links out of the root; numbers at the edges of 64 bits; wrong types; missing fields;
 * unknown fields; bodies where none belong.
 *
 * <p>Strings are always valid Unicode (no lone surrogates): the wire cannot carry anything else
 * (the JSON reader refuses it as a framing error, which the frame fuzzer covers).
 *
 * <p>Not thread-safe.
 */
final class FileRequestGenerator {
    /** A request and the body that follows it ({@code size} is set to its length when sent). */
    record Request(Header header, byte[] body) {
        String describe() {
            String h = header.toString();
            return (h.length() > 600 ? h.substring(0, 600) + "...(" + h.length() + " chars)" : h)
                    + (body.length > 0 ? " + " + body.length + " body bytes" : "");
        }
    }

    static final String[] OPS = {"GET", "PUT", "STAT", "LIST", "MKDIR", "DELETE", "RENAME", "PARTIAL", "HASH"};
    /** Largest PUT body the generator sends: keeps runs fast and every file far from the canary sizes. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private static final String[] TRICKY_SEGMENTS = {
        "..", ".", "", "...", "....", ". .", ".. ", " ..", "..\u200b", "\u2025", "\uff0e\uff0e", "%2e%2e", "%2f",
        "..%2f..", "..\\", "\\", "a\\b", "\u0000", "a\u0000b", "\u0001", "\n", "\r", "\t", "\u007f", "\u0085",
        "\u2028", "\u202e", "\ufeff", "~", "~root", "$HOME", "C:", "C:\\", "file:", "\u00e9", "e\u0301",
        "\ud83d\ude00", "CON", "nul", ".ferry-part-0123456789abcdef0123456789abcdef", ".ferry-part-", ".ferry-partial",
        "x.ferry-partial", "*", "?", "[a]", "'", "\"", "<>", "|", "-rf", "--", "\u0130", "\u212a", " ", "a b",
        "new", "new.bin", "x", "y.txt", "new dir",
    };
    private static final char[] TRICKY_CHARS = {
        '/', '/', '.', '.', '\\', '\0', '\n', '\r', '\t', ' ', '\u007f', '\u0085', 'é', '\u2025', '\uff0e', '\u202e',
        '\u200b', '\ufeff', '~', '%', '*', '"', '\'', 'a', 'Z', '0',
    };
    static final long[] INTERESTING_LONGS = {
        0, 1, -1, 2, -2, 3, 5, 7, 100, 4095, 4096, 16383, 16384, 16385, 65535, 65536, 1 << 20,
        Integer.MAX_VALUE, 1L << 31, (1L << 32) - 1, 1L << 32, (1L << 32) + 1, 1L << 53, (1L << 53) + 1, 1L << 62,
        Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1, -4096, 1_700_000_000_000L,
        253_402_300_800_000L, -62_135_596_800_000L,
    };
    private static final String[] ALGORITHMS = {"sha-256", "md5", "none", "SHA-256", "sha256", "MD5", "sha-1", "crc32",
        "", "sha-256 ", "\u0000", "sha\u2010256"};

    private final Random r;
    private final String base;

    /** @param base the absolute path of the folder around the root, for absolute-path attacks */
    FileRequestGenerator(Random r, String base) {
        this.r = r;
        this.base = base;
    }

    // ---- whole requests ---------------------------------------------------------------------------

    Request next() {
        String op = r.nextInt(40) == 0 ? weirdOp() : OPS[r.nextInt(OPS.length)];
        Header h = new Header();
        if (r.nextInt(60) == 0) {
            h.put("op", wrongType()); // "op" that is not a string: a request-level error
        } else {
            h.put("op", op);
        }
        byte[] body = new byte[0];
        switch (op) {
            case "GET" -> {
                field(h, "path", r.nextBoolean() ? knownFile() : path());
                optNumber(h, "offset", 3);
                optNumber(h, "length", 3);
                optAlgorithm(h, 4);
            }
            case "PUT" -> body = put(h);
            case "PARTIAL" -> {
                field(h, "path", path());
                field(h, "fileSize", r.nextInt(3) == 0 ? number() : (long) r.nextInt(MAX_BODY_BYTES + 1));
                optAlgorithm(h, 2);
                if (r.nextInt(3) == 0) {
                    field(h, "expect", hexish());
                }
            }
            case "STAT" -> {
                field(h, "path", path());
                optAlgorithm(h, 4);
            }
            case "LIST" -> {
                if (r.nextInt(5) != 0) {
                    field(h, "path", path());
                }
            }
            case "HASH" -> {
                field(h, "path", r.nextBoolean() ? knownFile() : path());
                optAlgorithm(h, 2);
            }
            case "MKDIR" -> {
                field(h, "path", remember(path()));
                optBoolean(h, "parents");
            }
            case "DELETE" -> {
                field(h, "path", path());
                optBoolean(h, "recursive");
            }
            case "RENAME" -> {
                field(h, "from", path());
                field(h, "to", remember(path()));
                optBoolean(h, "overwrite");
            }
            default -> {
                if (r.nextBoolean()) {
                    field(h, "path", path());
                }
            }
        }
        if (r.nextInt(25) == 0) {
            h.put(randomKey(), randomValue(2)); // unknown fields are ignored
        }
        if (body.length == 0 && r.nextInt(30) == 0) {
            body = bytes(r.nextInt(3000)); // a body on an op that takes none: read and dropped
        }
        return new Request(h, body);
    }

    private byte[] put(Header h) {
        field(h, "path", remember(path()));
        int len = r.nextInt(8) == 0 ? 0 : r.nextInt(r.nextBoolean() ? 64 : MAX_BODY_BYTES + 1);
        byte[] content = bytes(len);
        long fileSize = content.length;
        long offset = 0;
        int shape = r.nextInt(10);
        if (shape == 0) {
            fileSize = number(); // a declared size that does not match the body
        } else if (shape == 1 && len > 0) {
            offset = r.nextInt(len + 1); // a resume the server knows nothing of (or a matching one)
        }
        field(h, "fileSize", fileSize);
        if (offset != 0 || r.nextInt(4) == 0) {
            field(h, "offset", r.nextInt(8) == 0 ? number() : offset);
        }
        String alg = null;
        if (r.nextInt(3) == 0) {
            alg = ALGORITHMS[r.nextInt(ALGORITHMS.length)];
            field(h, "algorithm", alg);
        }
        int e = r.nextInt(5);
        if (e == 0) {
            h.put("expect", digestOf(content, alg)); // the right digest: the upload commits
        } else if (e == 1) {
            field(h, "expect", hexish());
        }
        optBoolean(h, "overwrite");
        if (r.nextInt(6) == 0) {
            field(h, "mtime", number());
        }
        int bodyLen = (int) Math.max(0, Math.min(content.length, content.length - offset));
        byte[] body = new byte[bodyLen];
        System.arraycopy(content, (int) (content.length - bodyLen), body, 0, bodyLen);
        return body;
    }

    // ---- fields -------------------------------------------------------------------------------------

    /** Puts {@code value}, or (rarely) a wrong type, or leaves the field out. */
    private void field(Header h, String name, Object value) {
        int k = r.nextInt(40);
        if (k == 0) {
            return; // missing
        }
        h.put(name, k == 1 || k == 2 ? wrongType() : value);
    }

    private void optNumber(Header h, String name, int oneIn) {
        if (r.nextInt(oneIn) == 0) {
            field(h, name, r.nextInt(3) != 0 ? (long) r.nextInt(40) : number());
        }
    }

    private void optBoolean(Header h, String name) {
        if (r.nextInt(3) == 0) {
            field(h, name, r.nextBoolean());
        }
    }

    private void optAlgorithm(Header h, int oneIn) {
        if (r.nextInt(oneIn) == 0) {
            String alg = r.nextInt(3) != 0 ? (r.nextBoolean() ? "sha-256" : "md5") : ALGORITHMS[r.nextInt(ALGORITHMS.length)];
            field(h, "algorithm", r.nextInt(50) == 0 ? huge() : alg);
        }
    }

    /**
     * A string nearly as long as a whole header may be (64 KiB): servers like to quote what they
     * refuse, and an answer quoting it must still fit in a frame.
     */
    private String huge() {
        String[] units = {"A", "\ud83d\ude00", "\u0001"}; // 1, 4 and (escaped in JSON) 6 bytes on the wire
        int[] wireBytes = {1, 4, 6};
        int u = r.nextInt(units.length);
        int target = 60_000 + r.nextInt(5_500); // the request must fit in 64 KiB; a quoting answer may not
        return units[u].repeat(target / wireBytes[u]);
    }

    long number() {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> INTERESTING_LONGS[r.nextInt(INTERESTING_LONGS.length)] + r.nextInt(3) - 1;
            default -> INTERESTING_LONGS[r.nextInt(INTERESTING_LONGS.length)];
        };
    }

    private String hexish() {
        return switch (r.nextInt(6)) {
            case 0 -> hex(32);
            case 1 -> hex(16);
            case 2 -> hex(r.nextInt(40));
            case 3 -> hex(32).toUpperCase();
            case 4 -> "\u0663".repeat(64); // Arabic-Indic digit three: a digit to Character.digit, not hex on the wire
            default -> "z".repeat(64);
        };
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String digestOf(byte[] content, String alg) {
        String a = alg == null ? "sha-256" : alg.toLowerCase();
        try {
            MessageDigest md = MessageDigest.getInstance(a.equals("md5") ? "MD5" : "SHA-256");
            return HexFormat.of().formatHex(md.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    Object wrongType() {
        return switch (r.nextInt(6)) {
            case 0 -> number();
            case 1 -> r.nextBoolean();
            case 2 -> null;
            case 3 -> List.of(path());
            case 4 -> Map.of("path", path());
            default -> String.valueOf(number());
        };
    }

    private Object randomValue(int depth) {
        int k = r.nextInt(depth <= 0 ? 4 : 6);
        return switch (k) {
            case 0 -> number();
            case 1 -> r.nextBoolean();
            case 2 -> null;
            case 3 -> path();
            case 4 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    l.add(randomValue(depth - 1));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    m.put(randomKey(), randomValue(depth - 1));
                }
                yield m;
            }
        };
    }

    private String randomKey() {
        String[] keys = {"x", "Path", "PATH", "path ", "paths", "home", "root", "user", "recursive", "follow", "force", "sudo"};
        return keys[r.nextInt(keys.length)] + (r.nextInt(4) == 0 ? String.valueOf(r.nextInt(100)) : "");
    }

    private String weirdOp() {
        String[] ops = {"get", "Get", "GET ", "", "PUTS", "STAT\u0000", "LIST/..", "UNLINK", "CHMOD", "SYMLINK", "LINK", "EXEC"};
        return r.nextInt(8) == 0 ? huge() : ops[r.nextInt(ops.length)];
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    // ---- paths ----------------------------------------------------------------------------------------

    /** A path: mostly fixture names joined by '/', with traps mixed in and, sometimes, mutated characters. */
    String path() {
        int k = r.nextInt(100);
        if (k < 4) {
            return absolute();
        }
        if (k < 8) {
            return longPath();
        }
        if (k < 55) {
            return known();
        }
        int segs = 1 + r.nextInt(r.nextInt(6) + 1);
        StringBuilder sb = new StringBuilder();
        if (r.nextInt(15) == 0) {
            sb.append(r.nextBoolean() ? "/" : "./");
        }
        for (int i = 0; i < segs; i++) {
            if (i > 0) {
                int sep = r.nextInt(30);
                sb.append(sep == 0 ? "//" : sep == 1 ? "\\" : sep == 2 ? "/./" : "/");
            }
            sb.append(segment());
        }
        if (r.nextInt(10) == 0) {
            sb.append('/');
        }
        String p = sb.toString();
        if (r.nextInt(6) == 0) {
            p = mutate(p);
        }
        return p;
    }

    /** Paths that exist in the tree for a root session, and for a session jailed in root/jail. */
    private static final String[] KNOWN_ROOT = {
        "top.txt", "in/f.txt", "in/empty", "in", "in/deep", "ü/日本.txt", "ü", "in-link/f.txt", "in-link", "jail/j.txt",
        "jail/sub/s.txt", "jail/ok/s.txt", "", ".",
    };
    private static final String[] KNOWN_JAIL = {"j.txt", "sub", "sub/s.txt", "ok/s.txt", "ok", "", ".", "esc", "esc-dir/f.txt"};
    private final String[] recent = new String[32];
    private int recentNext;
    private boolean jailed;

    /** Which tree the paths should mostly exist in. */
    void jailed(boolean on) {
        jailed = on;
    }

    private String known() {
        String p;
        if (r.nextBoolean() && recent[0] != null) {
            String q;
            do {
                q = recent[r.nextInt(recent.length)];
            } while (q == null);
            p = q;
        } else {
            String[] k = jailed ? KNOWN_JAIL : KNOWN_ROOT;
            p = k[r.nextInt(k.length)];
        }
        if (r.nextInt(5) == 0) {
            p = p + "/" + FuzzTree.FIXTURE_NAMES[r.nextInt(FuzzTree.FIXTURE_NAMES.length)];
        }
        return p;
    }

    /** A file that exists (unless this batch removed it), or one a recent request wrote. */
    private String knownFile() {
        String[] files = jailed ? new String[] {"j.txt", "sub/s.txt", "ok/s.txt"}
                : new String[] {"top.txt", "in/f.txt", "in/empty", "ü/日本.txt", "in-link/f.txt", "jail/j.txt"};
        return r.nextInt(3) == 0 && recent[0] != null ? known() : files[r.nextInt(files.length)];
    }

    /** Remembers a path a request used, so later requests (GET after PUT, RENAME after MKDIR) find it. */
    private String remember(String p) {
        recent[recentNext++ % recent.length] = p;
        return p;
    }

    private String segment() {
        int k = r.nextInt(100);
        if (k < 55) {
            return FuzzTree.FIXTURE_NAMES[r.nextInt(FuzzTree.FIXTURE_NAMES.length)];
        }
        if (k < 85) {
            return TRICKY_SEGMENTS[r.nextInt(TRICKY_SEGMENTS.length)];
        }
        if (k < 95) {
            return longName();
        }
        return randomName(1 + r.nextInt(12));
    }

    /** Names around the 255-byte limit, with 1-, 2-, 3- and 4-byte characters straddling it. */
    private String longName() {
        String[] units = {"x", "é", "日", "\ud83d\ude00"};
        String u = units[r.nextInt(units.length)];
        int unitBytes = u.getBytes(StandardCharsets.UTF_8).length;
        int target = 255 + r.nextInt(5) - 2; // 253..257 bytes
        StringBuilder sb = new StringBuilder();
        while (PathResolver.utf8Length(sb.toString()) + unitBytes <= target) {
            sb.append(u);
        }
        while (PathResolver.utf8Length(sb.toString()) < target) {
            sb.append('y');
        }
        return r.nextInt(20) == 0 ? sb.toString().repeat(20) : sb.toString();
    }

    /** Paths around the 1024-byte limit. */
    private String longPath() {
        String seg = FuzzTree.FIXTURE_NAMES[r.nextInt(3)];
        StringBuilder sb = new StringBuilder();
        int target = 1024 + r.nextInt(7) - 3;
        while (sb.length() + seg.length() + 1 <= target) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(r.nextInt(4) == 0 ? "." : seg);
        }
        while (sb.length() < target) {
            sb.append('z');
        }
        return r.nextInt(10) == 0 ? sb.toString().repeat(60) : sb.toString();
    }

    private String absolute() {
        String[] targets = {
            base + "/outside/canary-secret.txt", base + "/outside/new", base + "/root/top.txt", base + "/root2",
            "/etc/passwd", "/proc/self/environ", "/tmp/ferry-fuzz-escape", "/", "//", "/..", "/dev/zero",
        };
        return targets[r.nextInt(targets.length)];
    }

    private String randomName(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(10);
            if (k < 6) {
                sb.append((char) ('a' + r.nextInt(26)));
            } else if (k < 8) {
                sb.append(TRICKY_CHARS[r.nextInt(TRICKY_CHARS.length)]);
            } else {
                sb.appendCodePoint(randomCodePoint());
            }
        }
        return sb.toString();
    }

    private int randomCodePoint() {
        while (true) {
            int cp = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x3000);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                return cp;
            }
        }
    }

    /** A few character-level edits (insert, delete, replace, duplicate a run), kept valid Unicode. */
    String mutate(String s) {
        StringBuilder sb = new StringBuilder(s);
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            int at = sb.length() == 0 ? 0 : r.nextInt(sb.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> sb.insert(at, TRICKY_CHARS[r.nextInt(TRICKY_CHARS.length)]);
                case 1 -> {
                    if (at < sb.length()) {
                        sb.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (at < sb.length()) {
                        sb.setCharAt(at, TRICKY_CHARS[r.nextInt(TRICKY_CHARS.length)]);
                    }
                }
                case 3 -> sb.insert(at, r.nextBoolean() ? "../" : "/..");
                default -> {
                    int end = Math.min(sb.length(), at + 1 + r.nextInt(8));
                    sb.insert(at, sb.substring(at, end));
                }
            }
        }
        return validUnicode(sb);
    }

    /** Replaces lone surrogates (an edit may split a pair) with U+FFFD. */
    static String validUnicode(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\ufffd');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A mutation of a request that reached something new: one field changed, or its op swapped. */
    Request mutate(Request seed) {
        Header h = seed.header().copy();
        h.remove(Header.ID);
        h.remove(Header.SIZE);
        byte[] body = seed.body();
        int k = r.nextInt(10);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < h.fieldCount(); i++) {
            if (!"op".equals(h.keyAt(i))) {
                keys.add(h.keyAt(i));
            }
        }
        if (k == 0) {
            h.put("op", OPS[r.nextInt(OPS.length)]);
        } else if (k == 1 && !keys.isEmpty()) {
            h.remove(keys.get(r.nextInt(keys.size())));
        } else if (k == 2) {
            body = r.nextBoolean() ? new byte[0] : bytes(r.nextInt(MAX_BODY_BYTES + 1));
            if ("PUT".equals(h.get("op")) && r.nextBoolean()) {
                h.put("fileSize", (long) body.length).remove("offset").remove("expect");
            }
        } else if (!keys.isEmpty()) {
            String key = keys.get(r.nextInt(keys.size()));
            Object v = h.get(key);
            if (v instanceof String s && r.nextInt(4) != 0) {
                h.put(key, r.nextBoolean() ? mutate(s) : path());
            } else if (v instanceof Long l && r.nextInt(4) != 0) {
                h.put(key, r.nextBoolean() ? number() : l + r.nextInt(5) - 2);
            } else {
                h.put(key, wrongType());
            }
        }
        return new Request(h, body);
    }
}
