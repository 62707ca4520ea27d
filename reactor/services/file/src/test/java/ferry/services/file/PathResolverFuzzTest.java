package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.OpException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure part of path confinement, fuzzed without sockets: {@link PathResolver#resolve} must
 * agree with the rules ({@link PathModel}) on every generated path, for the root and for homes
 * inside it, and {@link PathResolver#confine} and {@link PathResolver#confineTarget} on the real
 * trap tree ({@link FuzzTree}) must never hand back a path whose real location is outside the
 * home; what confineTarget returns must be reachable by {@link RootFiles} without meeting a link. Fast enough for a large run:
 *
 * <pre>
 *   mvn -o test -pl reactor -am -Dtest=PathResolverFuzzTest -Dferry.fuzz.paths.inputs=2000000
 * </pre>
 */
class PathResolverFuzzTest {
    static final long SHORT_RUN_INPUTS = 10_000;
    static final int MAX_PATH_BYTES = FileServiceConfig.DEFAULT_MAX_PATH_BYTES;
    static final int MAX_NAME_BYTES = FileServiceConfig.DEFAULT_MAX_NAME_BYTES;
    private static final String[] HOMES = {"", FuzzTree.JAIL, "in", "in/deep", "jail/sub"};

    @TempDir
    Path tmp;

    private final Map<String, Long> failures = new TreeMap<>();
    private final List<String> reports = new ArrayList<>();
    private final Map<String, Long> outcomes = new TreeMap<>();

    @Test
    void resolveAgreesWithTheRulesAndConfineNeverLeavesTheHome() throws Exception {
        long inputs = Long.getLong("ferry.fuzz.paths.inputs", SHORT_RUN_INPUTS);
        long seed = Long.getLong("ferry.fuzz.seed", FileOpsFuzzTest.DEFAULT_SEED);
        FuzzTree tree = new FuzzTree(tmp);
        PathResolver resolver = new PathResolver(tree.root.toRealPath(), MAX_PATH_BYTES, MAX_NAME_BYTES);
        Random r = new Random(seed);
        FileRequestGenerator gen = new FileRequestGenerator(r, tree.base.toString());
        long started = System.nanoTime();
        long confined = 0;
        for (long i = 0; i < inputs; i++) {
            String home = HOMES[r.nextInt(HOMES.length)];
            gen.jailed(home.equals(FuzzTree.JAIL));
            String p = gen.path();
            if (check(resolver, home, p)) {
                confined++;
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        StringBuilder sb = new StringBuilder("Ferry path-resolver fuzz report\n");
        sb.append("  seed ").append(seed).append(", ").append(inputs).append(" paths in ").append(millis).append(" ms, ")
                .append(confined).append(" confined on the disk\n");
        outcomes.forEach((k, v) -> sb.append(String.format("    %8d  %s%n", v, k)));
        sb.append("  failures: ").append(failures).append('\n');
        reports.forEach(x -> sb.append("  - ").append(x).append('\n'));
        String report = FileOpsFuzzTest.printable(sb);
        System.out.println(report);
        FileOpsFuzzTest.write("path-fuzz-report.txt", report);
        assertTrue(failures.isEmpty(), report);
        assertTrue(confined > inputs / 4, "a good share of the paths reached the disk check: " + confined);
    }

    /** One path; returns whether it got as far as {@code confine}. */
    private boolean check(PathResolver res, String home, String p) throws IOException {
        PathModel.Outcome model = PathModel.resolve(p, MAX_PATH_BYTES, MAX_NAME_BYTES);
        FilePath fp;
        try {
            fp = res.resolve(home, p);
        } catch (OpException e) {
            count("resolve " + e.code());
            if (!model.refused() || !model.code().equals(e.code())) {
                fail("disagree", "rules say " + (model.refused() ? model.code() : "ok \"" + model.normalized() + "\"")
                        + ", resolve refused with " + e.code() + " \"" + e.getMessage() + "\" for home \"" + home + "\" path \"" + p + "\"");
            }
            FuzzFindingsTest.assertValidUnicode(e.getMessage());
            return false;
        } catch (RuntimeException e) {
            fail("crash", "resolve threw " + e + " for home \"" + home + "\" path \"" + p + "\"");
            return false;
        }
        count("resolve ok");
        if (model.refused()) {
            fail("disagree", "rules say " + model.code() + ", resolve accepted \"" + fp.rootRelative() + "\" for \"" + p + "\"");
            return false;
        }
        String n = model.normalized();
        String expectRel = home.isEmpty() ? n : n.isEmpty() ? home : home + "/" + n;
        Path root = res.root();
        Path homePath = home.isEmpty() ? root : root.resolve(home);
        if (!fp.rootRelative().equals(expectRel) || !fp.shown().equals(n.isEmpty() ? "." : n)
                || !fp.lexical().equals(root.resolve(expectRel)) || !fp.lexical().normalize().equals(fp.lexical())
                || !fp.lexical().startsWith(homePath) || !fp.home().equals(homePath)) {
            fail("normalize", "for home \"" + home + "\" path \"" + p + "\": " + fp.rootRelative() + " / " + fp.shown()
                    + " / " + fp.lexical() + ", expected " + expectRel);
        }
        Path realHome = homePath.toRealPath();
        Path got;
        try {
            got = res.confine(fp);
        } catch (OpException e) {
            count("confine " + e.code());
            if (!Set.of("forbidden", "not_found").contains(e.code())) {
                fail("confine code", e.code() + " \"" + e.getMessage() + "\" for \"" + p + "\" in \"" + home + "\"");
            }
            return true;
        } catch (FileSystemException e) {
            count("confine " + e.getClass().getSimpleName() + " " + e.getReason()); // a link loop, a file used as a folder
            return true;
        } catch (IOException | RuntimeException e) {
            fail("crash", "confine threw " + e + " for \"" + p + "\" in \"" + home + "\"");
            return true;
        }
        count("confine ok");
        // Independently of confine: where does what it returned really lead?
        Path real = deepestReal(got);
        if (!real.startsWith(realHome)) {
            fail("escape", "confine returned " + got + " for \"" + p + "\" in \"" + home + "\", which really is " + real
                    + ", outside " + realHome);
        }
        // The read form follows a final link that stays inside: what it returns has no link left
        // in it, so the no-follow access (RootFiles) can reach it, and it is inside the home.
        try {
            Path target = res.confineTarget(fp);
            if (!target.startsWith(realHome) || !deepestReal(target).startsWith(realHome)) {
                fail("escape", "confineTarget returned " + target + " for \"" + p + "\" in \"" + home + "\"");
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                res.files().attributes(target); // walks it without following: must not meet a link
                count("confineTarget reached");
            }
        } catch (OpException e) {
            count("confineTarget " + e.code());
        } catch (FileSystemException e) {
            if (e instanceof RootFiles.Changed) {
                fail("walk", "the no-follow walk met a link in what confineTarget returned for \"" + p + "\": " + e);
            }
            count("confineTarget " + e.getClass().getSimpleName());
        }
        return true;
    }

    /** The real location of {@code p} if it exists (every link followed), else of its deepest existing ancestor. */
    private static Path deepestReal(Path p) throws IOException {
        return deepestReal(p, 0);
    }

    private static Path deepestReal(Path p, int links) throws IOException {
        Path q = p;
        while (q != null) {
            if (Files.exists(q)) {
                return q.toRealPath();
            }
            if (Files.isSymbolicLink(q) && links < 40) {
                // a dangling link: where writing through it would create its target
                return deepestReal(q.resolveSibling(Files.readSymbolicLink(q)).normalize(), links + 1);
            }
            q = q.getParent();
        }
        return Path.of("/");
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    private void fail(String category, String report) {
        failures.merge(category, 1L, Long::sum);
        if (reports.size() < 10) {
            reports.add("[" + category + "] " + report);
        }
    }
}
