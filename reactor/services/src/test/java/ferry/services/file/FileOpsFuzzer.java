package ferry.services.file;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.Right;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Drives generated and mutated file-op requests ({@link FileRequestGenerator}) through real sockets
 * into a real server whose root is a {@link FuzzTree}, and checks after every answer and every
 * batch:
 *
 * <ul>
 *   <li>every request gets exactly one final answer, in order, then the PING sent behind it
 *       answers (a missing, extra or misordered answer shows there): never a hang (read timeout),
 *       never a dropped connection for a request-level error;</li>
 *   <li>never an {@code internal} error, never an ERROR without a message or one that names the
 *       server's real folders; no handler or loop error counted by the server;</li>
 *   <li>a path the rules refuse ({@link PathModel}) gets exactly the code the rules say;</li>
 *   <li>nothing outside the served folder changes (snapshot of the canaries, the folders around
 *       the root, and for jailed sessions the rest of the root), and no answer carries a canary's
 *       contents, size, digest or name;</li>
 *   <li>the server keeps serving (checked by the PING of every batch and at the end).</li>
 * </ul>
 *
 * Requests that reach an outcome never seen before (op, code, shape of the message) join a corpus
 * that later inputs mutate, so the run spreads over the ops' branches.
 *
 * <p>Half the batches run as a session jailed in {@code root/jail} (logged in by a test op with
 * that home), where the rest of the root counts as outside.
 *
 * <p>Not thread-safe: one thread drives it.
 */
final class FileOpsFuzzer implements AutoCloseable {
    static final long READ_TIMEOUT_MILLIS = 15_000;
    /** Inputs between two checks of the disk (and a rebuild of the traps). */
    static final int BATCH_INPUTS = 100;
    /** Batches per phase before switching between root and jailed sessions. */
    static final int BATCHES_PER_PHASE = 3;
    static final int MAX_PIPELINE = 4;
    static final int MAX_CORPUS = 2000;
    static final int MAX_REPORTED_FAILURES = 10;
    static final String TESTLOGIN = "FUZZ_LOGIN";

    private static final Map<String, String> SUCCESS = Map.of("GET", "FILE", "PUT", "OK", "STAT", "STAT", "LIST", "LIST",
            "MKDIR", "OK", "DELETE", "OK", "RENAME", "OK", "PARTIAL", "PARTIAL", "HASH", "HASH");

    final FuzzTree tree;
    final FerryServer server;
    final FileServiceConfig fileConfig;
    private final Random r;
    private final FileRequestGenerator gen;
    private final List<FileRequestGenerator.Request> corpus = new ArrayList<>();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    private FerryClient client;
    private boolean jailed;

    long inputs;
    long mutatedInputs;
    long answersOk;
    long answersError;
    long oracleChecked;
    long batches;
    long reconnects;
    long skippedTooLarge;
    final Map<String, Long> outcomes = new TreeMap<>();
    final Map<String, Long> failuresByCategory = new LinkedHashMap<>();
    final List<String> failureReports = new ArrayList<>();

    FileOpsFuzzer(Path base, long seed) throws Exception {
        this.tree = new FuzzTree(base);
        this.r = new Random(seed);
        this.gen = new FileRequestGenerator(r, tree.base.toString());
        ServerConfig cfg = ServerConfig.builder().port(0).shutdownGraceMillis(2000).build();
        ServerLog log = new ServerLog(null, ServerLog.Level.WARN) {
            @Override
            protected void emit(Level level, String message, Throwable error) {
                if (warnings.size() < 100) {
                    warnings.add(level + " " + message + (error == null ? "" : " " + error));
                }
            }
        };
        server = new FerryServer(cfg, log);
        fileConfig = FileServiceConfig.builder(tree.root).tempSweepIntervalMillis(0).syncOnCommit(false).build();
        server.install(new FileService(fileConfig));
        server.registerPublic(TESTLOGIN, call -> {
            call.session().login("jailed", EnumSet.of(Right.READ, Right.WRITE, Right.DELETE), FuzzTree.JAIL);
            call.reply(Header.reply("OK", call.id()));
            return null;
        });
        server.start();
    }

    long failures() {
        long n = 0;
        for (long v : failuresByCategory.values()) {
            n += v;
        }
        return n;
    }

    /** Runs {@code n} inputs. */
    void run(long n) throws Exception {
        while (inputs < n) {
            jailed = (batches / BATCHES_PER_PHASE) % 2 == 1;
            gen.jailed(jailed);
            tree.rebuild();
            Path protectedDir = jailed ? tree.root.resolve(FuzzTree.JAIL) : tree.root;
            Map<String, String> before = tree.snapshotOutside(protectedDir);
            long handlerErrors = server.stats().handlerErrors.sum();
            long loopErrors = server.loopErrors();
            connect();
            long end = Math.min(n, inputs + BATCH_INPUTS);
            while (inputs < end) {
                pipeline((int) Math.min(end - inputs, 1 + r.nextInt(MAX_PIPELINE)));
            }
            Map<String, String> after = tree.snapshotOutside(protectedDir);
            if (!before.equals(after)) {
                fail("outside changed", (jailed ? "jailed" : "root") + " batch " + batches
                        + " changed what is outside its folder:\n" + FuzzTree.diff(before, after));
            }
            if (server.stats().handlerErrors.sum() != handlerErrors) {
                fail("handler errors", "the server counted " + (server.stats().handlerErrors.sum() - handlerErrors)
                        + " handler errors in batch " + batches + "; log: " + warnings);
            }
            if (server.loopErrors() != loopErrors) {
                fail("loop errors", "the loop survived " + (server.loopErrors() - loopErrors) + " errors in batch " + batches);
            }
            batches++;
        }
        closeClient();
    }

    private void connect() throws IOException {
        closeClient();
        client = FerryClient.connect("127.0.0.1", server.port(),
                ClientOptions.defaults().withReadTimeoutMillis(READ_TIMEOUT_MILLIS));
        reconnects++;
        if (jailed) {
            Header ok = client.call(Header.op(TESTLOGIN));
            if (!"OK".equals(ok.op())) {
                throw new IOException("test login failed: " + ok);
            }
        }
    }

    private void closeClient() {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // replaced anyway
            }
            client = null;
        }
    }

    /** Sends {@code count} requests and a PING without waiting, then reads and checks every answer. */
    private void pipeline(int count) throws IOException {
        List<FileRequestGenerator.Request> sent = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                FileRequestGenerator.Request req;
                if (!corpus.isEmpty() && r.nextInt(4) == 0) {
                    req = gen.mutate(corpus.get(r.nextInt(corpus.size())));
                    mutatedInputs++;
                } else {
                    req = gen.next();
                }
                req.header().put(Header.ID, client.nextId());
                try {
                    if (req.body().length > 0) {
                        client.send(req.header(), ByteBuffer.wrap(req.body()));
                    } else {
                        req.header().remove(Header.SIZE);
                        client.send(req.header());
                    }
                } catch (IllegalArgumentException tooBig) {
                    skippedTooLarge++; // over 64 KiB: the client refuses to encode it, nothing was sent
                    continue;
                }
                sent.add(req);
                inputs++;
            }
            Header ping = Header.op("PING").put(Header.ID, client.nextId());
            client.send(ping);
            for (FileRequestGenerator.Request req : sent) {
                check(req, client.readHeader());
            }
            Header pong = client.readHeader();
            if (!"PONG".equals(pong.op()) || pong.id() != ping.id()) {
                fail("extra answer", "after the answers to " + describe(sent) + " came " + pong + " instead of the PONG");
                connect();
            }
        } catch (SocketTimeoutException e) {
            fail("hang", "no answer within " + READ_TIMEOUT_MILLIS + " ms to " + describe(sent));
            connect();
        } catch (EOFException | SocketException e) {
            fail("dropped", "the server closed the connection (" + e.getMessage() + ") after " + describe(sent));
            connect();
        } catch (IOException e) {
            fail("bad answer", e + " after " + describe(sent));
            connect();
        }
    }

    /** Checks the answer {@code h} (its body is read here) to {@code req}. */
    private void check(FileRequestGenerator.Request req, Header h) throws IOException {
        Header q = req.header();
        Object op = q.get("op");
        if (h.id() != q.id()) {
            fail("misordered", "answer " + h + " has id " + h.id() + ", expected " + q.id() + " for " + req.describe());
            return;
        }
        String expected = expectedRefusal(q);
        if ("ERROR".equals(h.op())) {
            answersError++;
            if (h.size() > 0) {
                client.skipBody();
            }
            String code = h.getString("code", null);
            String message = h.getString("message", "");
            record(op, code, message, req);
            if (ErrorCode.INTERNAL.equals(code)) {
                fail("internal", "internal error \"" + message + "\" for " + req.describe());
            } else if (code == null || message.isBlank()) {
                fail("no reason", "ERROR without code or message: " + h + " for " + req.describe());
            } else if (message.contains(tree.base.toString()) && !q.toString().contains(tree.base.toString())) {
                fail("server path in message", "\"" + message + "\" names the server's folders, for " + req.describe());
            } else if (expected != null && !expected.equals(code)) {
                fail("oracle", "the path rules say " + expected + ", the server said " + code + " \"" + message + "\" for "
                        + req.describe());
            }
            if (expected != null) {
                oracleChecked++;
            }
            return;
        }
        answersOk++;
        byte[] body = new byte[0];
        if (h.size() > 0) {
            if (h.size() > 8L << 20) {
                fail("huge answer", h + " for " + req.describe());
                client.skipBody();
                return;
            }
            body = new byte[(int) h.size()];
            ByteBuffer b = ByteBuffer.wrap(body);
            while (b.hasRemaining() && client.readBody(b) >= 0) {
                // the whole body
            }
        }
        record(op, null, "", req);
        String success = op instanceof String s ? SUCCESS.get(s) : null;
        if (success == null || !success.equals(h.op())) {
            fail("wrong answer", h + " to " + req.describe() + " (expected " + (success == null ? "ERROR" : success) + ")");
            return;
        }
        if (expected != null) {
            oracleChecked++;
            fail("oracle", "the path rules refuse with " + expected + " but the server answered " + h + " to " + req.describe());
            return;
        }
        checkNoCanary(req, h, body);
    }

    /** The refusal the path rules dictate for {@code q} (for its first path field), or null if they do not decide. */
    private String expectedRefusal(Header q) {
        Object op = q.get("op");
        if (!(op instanceof String s)) {
            return ErrorCode.BAD_REQUEST;
        }
        if (!SUCCESS.containsKey(s)) {
            return ErrorCode.UNKNOWN_OP;
        }
        String[] fields = s.equals("RENAME") ? new String[] {"from", "to"} : new String[] {"path"};
        for (String f : fields) {
            Object v = q.get(f);
            if (v == null && s.equals("LIST")) {
                return null; // LIST without a path lists the home
            }
            if (!(v instanceof String p)) {
                return ErrorCode.BAD_REQUEST;
            }
            PathModel.Outcome o = PathModel.resolve(p, fileConfig.maxPathBytes(), fileConfig.maxNameBytes());
            if (o.refused()) {
                return o.code();
            }
        }
        return null;
    }

    private void checkNoCanary(FileRequestGenerator.Request req, Header h, byte[] body) {
        long fileSize = h.getLong("fileSize", -1);
        String digest = h.getString("digest", null);
        String name = h.getString("name", "");
        String text = new String(body, StandardCharsets.UTF_8);
        boolean leak = FuzzTree.leaks(body, body.length)
                || tree.canarySizes.contains(fileSize)
                || (digest != null && tree.canaryDigests.contains(digest.toLowerCase()))
                || name.startsWith(FuzzTree.CANARY_NAME)
                || text.contains(FuzzTree.CANARY_NAME);
        for (long size : tree.canarySizes) {
            leak |= text.contains("\"fileSize\":" + size);
        }
        if (leak) {
            fail("read outside", "the answer " + h + " (" + body.length + " body bytes) to " + req.describe()
                    + " shows a canary from outside the served folder");
        }
    }

    private void record(Object op, String code, String message, FileRequestGenerator.Request req) {
        String sig = (op instanceof String s ? (SUCCESS.containsKey(s) ? s : "?op") : "!op") + (jailed ? " jailed " : " ")
                + (code == null ? "ok" : code + ": " + shape(message));
        Long before = outcomes.merge(sig, 1L, Long::sum);
        if (before == 1L && corpus.size() < MAX_CORPUS) {
            Header copy = req.header().copy();
            corpus.add(new FileRequestGenerator.Request(copy, req.body()));
        }
    }

    /**
     * A message with its variable parts blanked (quoted values, numbers, and what follows the first
     * colon, usually a path), cut to a few words.
     */
    static String shape(String message) {
        String s = message.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("[0-9]+", "#");
        int colon = s.indexOf(": ");
        if (colon > 0) {
            s = s.substring(0, colon);
        }
        String[] words = s.split(" ");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(6, words.length); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            // a word with anything but letters and punctuation is a path the message names
            sb.append(words[i].matches("[A-Za-z\"#(),;'=-]*") ? words[i] : "_");
        }
        return sb.toString();
    }

    private void fail(String category, String report) {
        failuresByCategory.merge(category, 1L, Long::sum);
        if (failureReports.size() < MAX_REPORTED_FAILURES) {
            failureReports.add("[" + category + "] " + report);
        }
    }

    private static String describe(List<FileRequestGenerator.Request> reqs) {
        StringBuilder sb = new StringBuilder();
        for (FileRequestGenerator.Request q : reqs) {
            sb.append("\n      ").append(q.describe());
        }
        return sb.toString();
    }

    /** After the run: a fresh connection still gets served (PING, an upload and its download). */
    String servesAfterwards() throws IOException {
        tree.rebuild();
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port(),
                ClientOptions.defaults().withReadTimeoutMillis(READ_TIMEOUT_MILLIS))) {
            c.ping();
            byte[] data = "still serving".getBytes(StandardCharsets.UTF_8);
            Header put = Header.op("PUT").put(Header.ID, c.nextId()).put("path", "after.txt").put("fileSize", (long) data.length);
            c.send(put, ByteBuffer.wrap(data));
            c.expect(c.readHeader(), "OK", put.id());
            byte[] got = FileTransferTest.get(c, "after.txt", 0, -1);
            return new String(got, StandardCharsets.UTF_8).equals("still serving") ? null : "read back " + new String(got);
        }
    }

    @Override
    public void close() {
        closeClient();
        server.stop(2, TimeUnit.SECONDS);
    }
}
