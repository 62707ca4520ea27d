package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.client.FileInfo;
import ferry.client.RemoteException;
import ferry.protocol.DigestAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 13: a folder of the served tree is swapped for a symlink leading outside the root, and
 * back, as fast as possible, while clients GET, STAT (with digest), LIST, PUT and MKDIR under that
 * folder. Not one byte from outside may be read (no GET body, size, digest or name of an outside
 * file reaches a client) and nothing outside may be written (no file, no upload temp, no folder).
 * Two attackers: a local process (rename, symlink), and a client alone with the write right and
 * one outward link already in the tree, using nothing but RENAME (it moves the folder holding
 * the link into the checked folder's place).
 *
 * <p>The in-suite run is a fixed number of rounds (a few seconds); the 60-second run:
 * <pre>
 *   mvn test -pl reactor -am -Dtest=SymlinkRaceTest -Dferry.race.seconds=60
 * </pre>
 * Nothing is timed: the seconds only decide when to stop.
 */
class SymlinkRaceTest {
    /** Rounds per client in the in-suite run; a round is one GET, STAT, LIST, PUT and MKDIR. */
    private static final int ROUNDS_PER_CLIENT = 150;
    private static final int CLIENTS = 2;
    /** Different sizes, so a size alone gives an outside file away. */
    private static final int INSIDE_BYTES = 5_003;
    private static final int SECRET_BYTES = 7_001;
    private static final String OUTSIDE_ONLY_NAME = "outside-only.txt";

    @TempDir
    Path tmp;

    /** Who swaps: a local process, or a client with RENAMEs alone. */
    enum Attacker { LOCAL_PROCESS, CLIENT_RENAMES }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Attacker.class)
    void swappingAFolderForAnOutwardSymlinkNeverReadsOrWritesOutside(Attacker attacker) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        byte[] inside = TestData.bytes(INSIDE_BYTES, 1);
        byte[] secret = TestData.bytes(SECRET_BYTES, 2);
        String secretDigest = DigestAlgorithm.hex(DigestAlgorithm.SHA_256.newDigest().digest(secret));
        // The requests go to D/f. The local process swaps D itself; the client swaps the folder
        // holding it (p, the real one, and q, whose d is the outward link).
        String d = attacker == Attacker.LOCAL_PROCESS ? "d" : "p/d";
        Files.createDirectories(root.resolve(d));
        Files.write(root.resolve(d + "/f"), inside);
        if (attacker == Attacker.CLIENT_RENAMES) {
            Files.createDirectories(root.resolve("q"));
            Files.createSymbolicLink(root.resolve("q/d"), outside);
        }
        Files.write(outside.resolve("f"), secret); // what d/f is through the link
        Files.write(outside.resolve(OUTSIDE_ONLY_NAME), secret);
        Map<String, String> outsideBefore = snapshot(outside);
        Path local = Files.write(tmp.resolve("upload"), TestData.bytes(100, 3));

        long seconds = Long.getLong("ferry.race.seconds", 0);
        Stats stats = new Stats();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong swaps = new AtomicLong();
        try (FileTestServer s = FileTestServer.start(root, b -> { }, f -> f.syncOnCommit(false))) {
            List<Throwable> crashes = new ArrayList<>();
            Thread swapper = new Thread(() -> {
                try {
                    if (attacker == Attacker.LOCAL_PROCESS) {
                        swap(root, outside, stop, swaps);
                    } else {
                        swapByRenames(s, stop, swaps);
                    }
                } catch (Throwable e) {
                    synchronized (crashes) {
                        crashes.add(e);
                    }
                }
            }, "symlink-swapper");
            swapper.start();
            List<Thread> clients = new ArrayList<>();
            long deadline = seconds > 0 ? System.nanoTime() + seconds * 1_000_000_000L : Long.MAX_VALUE;
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                Thread t = new Thread(() -> {
                    try (FerryClient conn = s.connect()) {
                        FileClient files = s.files(conn);
                        for (int i = 0; seconds > 0 ? System.nanoTime() < deadline : i < ROUNDS_PER_CLIENT; i++) {
                            round(conn, files, d, id + "-" + i, local, secret, secretDigest, stats);
                        }
                    } catch (Throwable e) {
                        synchronized (crashes) {
                            crashes.add(e);
                        }
                    }
                }, "race-client-" + c);
                t.start();
                clients.add(t);
            }
            for (Thread t : clients) {
                t.join();
            }
            stop.set(true);
            swapper.join();
            assertEquals(List.of(), crashes, "every request got an answer on a live connection, the swaps all worked");
        }
        System.out.println("symlink race (" + attacker + "): " + swaps.get() + " swaps; " + stats);
        assertTrue(swaps.get() > 0, "the folder was swapped");
        assertTrue(stats.ok.getOrDefault("GET", new LongAdder()).sum() > 0, "some GETs found the real folder: " + stats);
        assertEquals(0, stats.outsideRead.sum(), "answers that carried an outside file's bytes, size, digest or name: "
                + stats);
        assertEquals(outsideBefore, snapshot(outside), "nothing outside the root was written");
        try (var l = Files.list(tmp)) {
            assertEquals(List.of("outside", "root", "upload"), l.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing was created beside the root");
        }
    }

    /** The local attacker: d becomes a link to outside, then the real folder again, until stopped. */
    private static void swap(Path root, Path outside, AtomicBoolean stop, AtomicLong swaps) {
        Path d = root.resolve("d");
        Path hidden = root.resolve("d.real");
        try {
            while (!stop.get()) {
                Files.move(d, hidden);
                Files.createSymbolicLink(d, outside);
                Files.delete(d);
                Files.move(hidden, d);
                swaps.incrementAndGet();
            }
        } catch (IOException e) {
            throw new AssertionError("the swapper failed", e);
        }
    }

    /**
     * The client alone: p (real, holding d/f) and q (holding d, a link to outside) change places
     * through a spare name, with RENAME only. Every RENAME is checked by the server like any
     * request (q/d itself is never moved: that would be refused as a link leading outside).
     */
    private static void swapByRenames(FileTestServer s, AtomicBoolean stop, AtomicLong swaps) {
        try (FerryClient conn = s.connect()) {
            FileClient files = s.files(conn);
            while (!stop.get()) {
                files.rename("p", "p2", false);
                files.rename("q", "p", false); // p/d is now the outward link
                files.rename("p", "q", false);
                files.rename("p2", "p", false);
                swaps.incrementAndGet();
            }
        } catch (IOException e) {
            throw new AssertionError("the renaming client failed", e);
        }
    }

    /** One of each request under the swapped folder {@code d}; refusals are fine, outside data is not. */
    private static void round(FerryClient conn, FileClient files, String d, String tag, Path local, byte[] secret,
                              String secretDigest, Stats stats) throws IOException {
        stats.attempt("GET", () -> {
            byte[] got = FileTransferTest.get(conn, d + "/f", 0, -1);
            return got.length == secret.length || Arrays.equals(got, secret);
        });
        stats.attempt("STAT", () -> {
            FileInfo i = files.stat(d + "/f", DigestAlgorithm.SHA_256);
            return i.fileSize() == secret.length || secretDigest.equals(i.digest());
        });
        stats.attempt("LIST", () -> files.list(d).stream().anyMatch(e -> e.name().equals(OUTSIDE_ONLY_NAME)));
        stats.attempt("PUT", () -> {
            files.upload(local, d + "/up-" + tag);
            return false;
        });
        stats.attempt("MKDIR", () -> {
            files.mkdir(d + "/m-" + tag, false);
            return false;
        });
    }

    private interface Request {
        /** Performs it; true if the answer carried something from outside. */
        boolean run() throws IOException;
    }

    private static final class Stats {
        final Map<String, LongAdder> ok = new ConcurrentHashMap<>();
        final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
        final LongAdder outsideRead = new LongAdder();
        /** One message per refusal kind, for the report. */
        final Map<String, String> examples = new ConcurrentHashMap<>();

        void attempt(String op, Request r) throws IOException {
            try {
                if (r.run()) {
                    outsideRead.increment();
                }
                ok.computeIfAbsent(op, k -> new LongAdder()).increment();
            } catch (RemoteException e) {
                refused.computeIfAbsent(op + " " + e.code(), k -> new LongAdder()).increment();
                examples.putIfAbsent(op + " " + e.code(), e.serverMessage());
            }
        }

        @Override
        public String toString() {
            return "ok " + new TreeMap<>(ok) + ", refused " + new TreeMap<>(refused) + ", outside read " + outsideRead
                    + "\n  refusals, for example: " + new TreeMap<>(examples);
        }
    }

    /** Every file and folder under {@code dir}, with its contents' digest. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = dir.relativize(p).toString();
                m.put(rel, Files.isRegularFile(p)
                        ? DigestAlgorithm.hex(DigestAlgorithm.SHA_256.newDigest().digest(Files.readAllBytes(p))) : "dir");
            }
        }
        return m;
    }
}
