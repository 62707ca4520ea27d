package ferry.services.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The disk the file fuzzers play on: a served root full of traps, and canaries around it that
 * must never be touched or read.
 *
 * <pre>
 * base/
 *   canary-beside-root.txt          canaries: contents carry {@link #MARKER}, sizes are {@link #canarySizes}
 *   outside/canary-secret.txt
 *   outside/sub/canary-deep.txt
 *   root2/canary-twin.txt           a sibling whose name starts like the root's (string-prefix bugs)
 *   root/                           the served root
 *     top.txt  in/f.txt  in/empty  in/deep/  ü/日本.txt
 *     out -> ../outside             out-abs -> base/outside     out-file -> base/outside/canary-secret.txt
 *     up -> ..                      twin -> ../root2            in-link -> in (inside: allowed)
 *     dangling -> nothing           dangling-out -> base/outside/not-yet   loop -> loop
 *     in/rel-up -> ../../outside    in/deep/sneaky -> ../../../root2/canary-twin.txt
 *     jail/j.txt  jail/sub/         the home of jailed sessions; everything else in root is outside it
 *     jail/esc -> ../top.txt        jail/esc-dir -> ../in      jail/esc-up -> ..   jail/ok -> sub
 * </pre>
 *
 * Everything that is not under the protected folder (the root, or root/jail for jailed sessions)
 * is snapshotted (type, size, mtime, contents, link target) and must be identical afterwards.
 *
 * <p>Not thread-safe: one fuzzer owns it.
 */
final class FuzzTree {
    /** In every canary; never produced by the generators, so finding it in an answer is a leak. */
    static final String MARKER = "FERRY-CANARY-7QX";
    /** Names of canaries start with this; the generators never produce it. */
    static final String CANARY_NAME = "canary-";
    static final String JAIL = "jail";

    final Path base;
    final Path root;
    final Path outside;
    /** Absolute paths where an escaped write would land; must never exist. */
    final List<Path> neverCreated = new ArrayList<>();
    /** Sizes, SHA-256 and MD5 of every canary: seeing one in an answer is a read outside. */
    final Set<Long> canarySizes = new HashSet<>();
    final Set<String> canaryDigests = new HashSet<>();

    FuzzTree(Path base) throws IOException {
        this.base = base.toRealPath();
        this.root = this.base.resolve("root");
        this.outside = this.base.resolve("outside");
        canary(this.base.resolve("canary-beside-root.txt"), 70_001);
        canary(outside.resolve("canary-secret.txt"), 70_002);
        canary(outside.resolve("sub/canary-deep.txt"), 70_003);
        canary(this.base.resolve("root2/canary-twin.txt"), 70_004);
        neverCreated.add(outside.resolve("not-yet"));
        neverCreated.add(Path.of("/tmp/ferry-fuzz-escape"));
        rebuild();
    }

    private void canary(Path p, int size) throws IOException {
        Files.createDirectories(p.getParent());
        byte[] b = new byte[size];
        byte[] m = (MARKER + " ").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            b[i] = m[i % m.length];
        }
        Files.write(p, b);
        canarySizes.add((long) size);
        try {
            canaryDigests.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
            canaryDigests.add(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Deletes the root's contents (never following a link) and lays the traps again. */
    void rebuild() throws IOException {
        if (Files.exists(root)) {
            deleteTree(root);
        }
        Files.createDirectories(root.resolve("in/deep"));
        Files.createDirectories(root.resolve("ü"));
        Files.createDirectories(root.resolve(JAIL + "/sub"));
        Files.writeString(root.resolve("top.txt"), "top of the root\n");
        Files.writeString(root.resolve("in/f.txt"), "hello\n");
        Files.write(root.resolve("in/empty"), new byte[0]);
        Files.writeString(root.resolve("ü/日本.txt"), "unicode\n");
        Files.writeString(root.resolve(JAIL + "/j.txt"), "inside the jail\n");
        Files.writeString(root.resolve(JAIL + "/sub/s.txt"), "deeper in the jail\n");
        link("out", Path.of("../outside"));
        link("out-abs", outside);
        link("out-file", outside.resolve("canary-secret.txt"));
        link("up", Path.of(".."));
        link("twin", Path.of("../root2"));
        link("in-link", Path.of("in"));
        link("dangling", Path.of("nothing-here"));
        link("dangling-out", outside.resolve("not-yet"));
        link("loop", Path.of("loop"));
        link("in/rel-up", Path.of("../../outside"));
        link("in/deep/sneaky", Path.of("../../../root2/canary-twin.txt"));
        link(JAIL + "/esc", Path.of("../top.txt"));
        link(JAIL + "/esc-dir", Path.of("../in"));
        link(JAIL + "/esc-up", Path.of(".."));
        link(JAIL + "/ok", Path.of("sub"));
    }

    private void link(String at, Path target) throws IOException {
        Files.createSymbolicLink(root.resolve(at), target);
    }

    /** Every fixture name a generator may combine into paths (never a canary's). */
    static final String[] FIXTURE_NAMES = {
        "top.txt", "in", "f.txt", "empty", "deep", "ü", "日本.txt", "out", "out-abs", "out-file", "up", "twin",
        "in-link", "dangling", "dangling-out", "loop", "rel-up", "sneaky", JAIL, "j.txt", "sub", "s.txt", "esc",
        "esc-dir", "esc-up", "ok", "outside", "root", "root2", "not-yet", "nothing-here",
    };

    /**
     * The state of everything outside {@code protectedDir} (which the fuzzer may change at will).
     * Keys are paths relative to {@link #base}.
     */
    Map<String, String> snapshotOutside(Path protectedDir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(protectedDir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                m.put(base.relativize(dir).toString(), "dir " + attrs.lastModifiedTime().toMillis());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (file.equals(protectedDir)) {
                    return FileVisitResult.CONTINUE; // a protected path that is a link or file itself
                }
                String d;
                if (attrs.isSymbolicLink()) {
                    d = "link -> " + Files.readSymbolicLink(file);
                } else if (attrs.isRegularFile()) {
                    d = "file " + attrs.size() + " " + attrs.lastModifiedTime().toMillis() + " " + sha256(file);
                } else {
                    d = "other";
                }
                m.put(base.relativize(file).toString(), d);
                return FileVisitResult.CONTINUE;
            }
        });
        for (Path p : neverCreated) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                m.put("ESCAPED " + p, "exists");
            }
        }
        return m;
    }

    /** What differs between two snapshots, for a failure report. */
    static String diff(Map<String, String> before, Map<String, String> after) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : before.entrySet()) {
            String now = after.get(e.getKey());
            if (!Objects.equals(now, e.getValue())) {
                sb.append("    ").append(e.getKey()).append(": ").append(e.getValue()).append(" -> ").append(now).append('\n');
            }
        }
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                sb.append("    ").append(e.getKey()).append(": created ").append(e.getValue()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Whether {@code body} contains the canary marker. */
    static boolean leaks(byte[] body, int length) {
        byte[] m = MARKER.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + m.length <= length; i++) {
            for (int j = 0; j < m.length; j++) {
                if (body[i + j] != m[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() { // never follows links: a link is deleted, not its target
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(ByteBuffer.wrap(Files.readAllBytes(file)));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
