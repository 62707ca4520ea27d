package ferry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.AuthenticationException;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.services.auth.AuthService;
import ferry.services.auth.PasswordHasher;
import ferry.services.auth.UserRecord;
import ferry.services.auth.UserStore;
import ferry.services.file.FileOpener;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code get}, {@code put} and {@code mixed} scenarios on tiny runs (64 KiB files, about a
 * second each) against real file servers on 127.0.0.1. Nothing here asserts a timing: only that
 * every measured request moved exactly one file's bytes, that nothing failed, that uploads landed
 * intact, and that a wrong answer is counted as an error.
 */
class FileScenarioRunTest {
    private static final long FILE = 64 * 1024;

    private static RunResult run(String... args) throws Exception {
        Options o = CommandLine.parse(args);
        return Main.runAll(o, Scenarios.byName(o.scenario), null).columns().get(0).summary();
    }

    private static void assertClean(RunResult r, long connections) {
        assertEquals(0L, r.get(RunResult.ERRORS), () -> "errors: " + r.errors() + " " + r.errors().details());
        assertEquals(connections, r.get(RunResult.OPENED));
        assertFalse(r.has(RunResult.ABORTED));
        assertTrue(r.num(RunResult.REQUESTS) > 0, "no requests measured");
        assertEquals(FILE, r.get(RunResult.FILE_BYTES));
        assertTrue(r.num(RunResult.P50) > 0 && r.num(RunResult.P50) <= r.num(RunResult.MAX));
        assertEquals(0L, r.get(RunResult.SERVER_ERRORS));
    }

    @Test
    void getMovesOneWholeVerifiedFilePerRequest(@TempDir Path root) throws Exception {
        RunResult r = run("get", "-c", "2", "-d", "2", "--file-size", "64k", "--get-verify-every", "1",
                "--warmup", "100ms", "--duration", "700ms", "--root", root.toString());
        assertClean(r, 2);
        assertEquals(r.num(RunResult.REQUESTS) * FILE, r.num(RunResult.PAYLOAD_BYTES));
        // every body crossed the wire: at least the measured payload was read in the window, give or take the edges
        assertTrue(r.num(RunResult.BYTES_IN) >= r.num(RunResult.PAYLOAD_BYTES) - 2 * 2 * FILE, r.fields().toString());
        assertTrue(FileContent.get().matches(root.resolve(FileLoad.getPath(FILE)), FILE), "the served file is the content");
    }

    /** Verified against an in-process server, unverified against a spawned one (its --root and --no-sync too). */
    @Test
    void putUploadsEachConnectionsFileIntactVerifiedOrNot(@TempDir Path root) throws Exception {
        for (String verify : new String[] {"on", "off"}) {
            String target = verify.equals("on") ? "inprocess" : "spawn";
            RunResult r = run("put", "-c", "3", "--file-size", "64k", "--put-verify", verify, "--target", target,
                    "--server-sync", verify, "--warmup", "100ms", "--duration", "500ms", "--root", root.toString());
            assertClean(r, 3);
            assertEquals(r.num(RunResult.REQUESTS) * FILE, r.num(RunResult.PAYLOAD_BYTES));
            for (int i = 0; i < 3; i++) {
                Path f = root.resolve(FileLoad.putPath(i));
                assertTrue(FileContent.get().matches(f, FILE), f + " missing or not the uploaded bytes");
            }
        }
        try (var files = Files.list(root.resolve(FileLoad.DIR))) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith(".ferry-part-")).count(),
                    "no upload left half-done after the drain");
        }
    }

    @Test
    void mixedReportsEveryKindApartAndTheyAddUp(@TempDir Path root) throws Exception {
        RunResult r = run("mixed", "-c", "4", "--file-size", "64k", "--mix", "ping=40,get=40,put=20",
                "--warmup", "100ms", "--duration", "1s", "--root", root.toString());
        assertClean(r, 4);
        long total = 0;
        for (OpKind k : OpKind.values()) {
            long n = (long) r.num(RunResult.perKind(RunResult.REQUESTS, k));
            assertTrue(n > 0, k + ": " + r.fields());
            total += n;
            assertTrue(r.num(RunResult.perKind(RunResult.P50, k)) > 0);
        }
        assertEquals((long) r.num(RunResult.REQUESTS), total);
        assertEquals(r.num(RunResult.perKind(RunResult.REQUESTS, OpKind.GET)) * FILE,
                r.num(RunResult.perKind(RunResult.PAYLOAD_BYTES, OpKind.GET)));
        assertEquals(r.num(RunResult.perKind(RunResult.REQUESTS, OpKind.PUT)) * FILE,
                r.num(RunResult.perKind(RunResult.PAYLOAD_BYTES, OpKind.PUT)));
        assertTrue(MarkdownReport.render(Main.runAll(CommandLine.parse(new String[] {"mixed", "--file-size", "64k",
                "--warmup", "0", "--duration", "200ms", "--root", root.toString()}), Scenarios.byName("mixed"), null))
                .contains("| get: latency p50 |"));
    }

    /** Against HOST:PORT with an empty root, a put-only run makes the folder its uploads go to. */
    @Test
    void putToAnExistingServerMakesItsFolderFirst(@TempDir Path root) throws Exception {
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
        server.install(new FileService(FileServiceConfig.builder(root).build()));
        server.start();
        try {
            RunResult r = run("put", "-c", "2", "--file-size", "64k", "--target", "127.0.0.1:" + server.port(),
                    "--warmup", "0", "--duration", "300ms");
            assertEquals(0L, r.get(RunResult.ERRORS), () -> "errors: " + r.errors() + " " + r.errors().details());
            assertTrue(r.num(RunResult.REQUESTS) > 0, "no requests measured");
            for (int i = 0; i < 2; i++) {
                Path f = root.resolve(FileLoad.putPath(i));
                assertTrue(FileContent.get().matches(f, FILE), f + " missing or not the uploaded bytes");
            }
        } finally {
            server.stop(1, TimeUnit.SECONDS);
        }
    }

    /**
     * A server whose reads of the GET file return a shorter file (an opener swaps it): the FILE
     * answers announce the wrong size, and every one is an error, never a measured request. Also
     * runs the HOST:PORT path: the harness uploads the file through the protocol first.
     */
    @Test
    void aWrongSizeAnswerIsAnErrorNotARequest(@TempDir Path dir) throws Exception {
        Path shortFile = dir.resolve("short.bin");
        Files.write(shortFile, new byte[1000]);
        FileOpener swapping = (path, options) -> path.getFileName().toString().startsWith("get-")
                && !options.contains(StandardOpenOption.WRITE)
                ? FileChannel.open(shortFile, EnumSet.of(StandardOpenOption.READ)) : FileChannel.open(path, options);
        Path root = Files.createDirectories(dir.resolve("root"));
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
        server.install(new FileService(FileServiceConfig.builder(root).opener(swapping).build()));
        server.start();
        try {
            RunResult r = run("get", "-c", "2", "--file-size", "64k", "--target", "127.0.0.1:" + server.port(),
                    "--warmup", "0", "--duration", "300ms");
            assertTrue(r.errors().asMap().getOrDefault("wrong_size", 0L) > 0, r.errors().toString());
            assertEquals(0L, r.get(RunResult.REQUESTS));
            assertTrue(Files.size(root.resolve(FileLoad.getPath(FILE))) == FILE, "the harness uploaded the file");
        } finally {
            server.stop(1, TimeUnit.SECONDS);
        }
    }

    /**
     * A server that requires login: every connection logs in with SCRAM-SHA-256 (keys derived
     * once by the harness) before its load, and a wrong password stops the run before it starts.
     */
    @Test
    void connectionsLogInWhenTheServerRequiresIt(@TempDir Path dir) throws Exception {
        UserStore store = UserStore.inConfigDir(dir.resolve("config"));
        PasswordHasher.Keys k = new PasswordHasher().hash("s3cret pass".toCharArray(), 4096);
        store.update(u -> u.with(new UserRecord("bench", k.iterations(), k.salt(), k.storedKey(), k.serverKey(),
                Set.of(Right.READ, Right.WRITE, Right.DELETE), "")));  // PUTs replace their files: delete
        Path pw = Files.writeString(dir.resolve("pw"), "s3cret pass\n");
        Path bad = Files.writeString(dir.resolve("bad"), "wrong\n");
        Path root = Files.createDirectories(dir.resolve("root"));
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).loginRequired(true).anonymousRights(Set.of()).build(),
                ServerLog.NONE);
        server.install(new AuthService(store));
        server.install(new FileService(FileServiceConfig.builder(root).build()));
        server.start();
        try {
            String target = "127.0.0.1:" + server.port();
            RunResult r = run("mixed", "-c", "3", "--file-size", "64k", "--mix", "get=1,put=1", "--target", target,
                    "--user", "bench", "--password-file", pw.toString(), "--warmup", "100ms", "--duration", "500ms");
            assertEquals(0L, r.get(RunResult.ERRORS), () -> "errors: " + r.errors() + " " + r.errors().details());
            assertTrue(r.num(RunResult.REQUESTS) > 0);
            assertTrue(FileContent.get().matches(root.resolve(FileLoad.putPath(0)), FILE));
            org.junit.jupiter.api.Assertions.assertThrows(AuthenticationException.class, () -> run("get", "--target", target,
                    "--user", "bench", "--password-file", bad.toString(), "--warmup", "0", "--duration", "100ms"));
        } finally {
            server.stop(1, TimeUnit.SECONDS);
        }
    }
}
