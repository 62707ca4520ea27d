package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One connection, one order (PROTOCOL.md 3): requests pipelined on one connection take effect as
 * if they had been sent one at a time. Random sequences of MKDIR, PUT, GET, STAT, LIST, RENAME and
 * DELETE over a tiny namespace (so they collide often) are sent pipelined to one server and one
 * request at a time to a second server with its own root; every answer (mtimes aside) and the
 * tree after each sequence must be the same. Before requests were ordered, a GET right after the
 * PUT that made its file answered {@code not_found} nearly every time.
 *
 * <p>{@code make test} runs a short fixed-seed run; {@code make fuzz-files} runs 10^5 sequences:
 * <pre>
 *   mvn test -pl reactor -am -Dtest=PipelineOrderTest -Dferry.fuzz.order.sequences=100000 [-Dferry.fuzz.seed=N]
 * </pre>
 */
class PipelineOrderTest {
    static final int SHORT_RUN_SEQUENCES = 400;
    static final int MAX_SEQUENCE_LENGTH = 10;
    private static final String[] NAMES = {"a", "b", "c"};

    @TempDir
    Path tmp;

    @Test
    void pipelinedRequestsTakeEffectInTheOrderSent() throws Exception {
        int sequences = Integer.getInteger("ferry.fuzz.order.sequences", SHORT_RUN_SEQUENCES);
        long seed = Long.getLong("ferry.fuzz.seed", FileOpsFuzzTest.DEFAULT_SEED);
        Random rnd = new Random(seed);
        try (FileTestServer piped = FileTestServer.start(Files.createDirectories(tmp.resolve("piped")));
             FileTestServer oneByOne = FileTestServer.start(Files.createDirectories(tmp.resolve("sequential")));
             FerryClient p = piped.connect(); FerryClient s = oneByOne.connect()) {
            for (int n = 0; n < sequences; n++) {
                List<Request> seq = randomSequence(rnd);
                List<String> expected = new ArrayList<>();
                for (Request r : seq) {
                    send(s, r);
                    expected.add(readAnswer(s));
                }
                for (Request r : seq) {
                    send(p, r);
                }
                for (int i = 0; i < seq.size(); i++) {
                    String got = readAnswer(p);
                    if (!got.equals(expected.get(i))) {
                        fail("sequence " + n + " (seed " + seed + ") differs at request " + i + " " + seq.get(i)
                                + "\n  pipelined:  " + got + "\n  one by one: " + expected.get(i) + "\n  sequence: " + seq);
                    }
                }
                assertEquals(tree(oneByOne.root), tree(piped.root), "tree after sequence " + n + ": " + seq);
            }
        }
    }

    /** The cases the outside client saw fail, pipelined many times each: nothing random about them. */
    @Test
    void writeThenReadOnOneConnectionSeesTheWrite() throws Exception {
        try (FileTestServer srv = FileTestServer.start(tmp.resolve("root")); FerryClient c = srv.connect()) {
            for (int i = 0; i < 50; i++) {
                String d = "d" + i;
                List<Request> seq = List.of(new Request("MKDIR", d, null, false, null), put(d + "/f", "hello"),
                        new Request("GET", d + "/f", null, false, null), put("x" + i, "x"),
                        new Request("DELETE", "x" + i, null, false, null));
                for (Request r : seq) {
                    send(c, r);
                }
                assertEquals("OK", op(readAnswer(c)), "MKDIR");
                assertEquals("OK", op(readAnswer(c)), "PUT into the folder just made");
                String get = readAnswer(c);
                assertTrue(get.startsWith("FILE") && get.endsWith("body=hello"), "GET of the file just put: " + get);
                assertEquals("OK", op(readAnswer(c)), "PUT x");
                assertEquals("OK", op(readAnswer(c)), "DELETE of the file just put");
                assertFalse(Files.exists(srv.root.resolve("x" + i)), "the DELETE ran after the PUT");
            }
        }
    }

    private static String op(String answer) {
        return answer.substring(0, answer.indexOf(' '));
    }

    // ---- requests ---------------------------------------------------------------------------

    record Request(String op, String path, String to, boolean flag, byte[] body) {
        @Override
        public String toString() {
            return op + " " + path + (to != null ? " -> " + to : "") + (flag ? " !" : "")
                    + (body != null ? " [" + body.length + " B]" : "");
        }
    }

    private static Request put(String path, String content) {
        return new Request("PUT", path, null, true, content.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Request> randomSequence(Random rnd) {
        int len = 2 + rnd.nextInt(MAX_SEQUENCE_LENGTH - 1);
        List<Request> seq = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            String path = randomPath(rnd);
            boolean flag = rnd.nextBoolean();
            int k = rnd.nextInt(100);
            if (k < 20) {
                seq.add(new Request("MKDIR", path, null, flag, null));
            } else if (k < 45) {
                byte[] body = new byte[rnd.nextInt(3) * 7];
                rnd.nextBytes(body);
                seq.add(new Request("PUT", path, null, flag || rnd.nextBoolean(), body));
            } else if (k < 60) {
                seq.add(new Request("GET", path, null, false, null));
            } else if (k < 68) {
                seq.add(new Request("STAT", path, null, false, null));
            } else if (k < 73) {
                seq.add(new Request("LIST", rnd.nextBoolean() ? "" : NAMES[rnd.nextInt(NAMES.length)], null, false, null));
            } else if (k < 85) {
                seq.add(new Request("RENAME", path, randomPath(rnd), flag, null));
            } else {
                seq.add(new Request("DELETE", path, null, flag, null));
            }
        }
        return seq;
    }

    private static String randomPath(Random rnd) {
        String first = NAMES[rnd.nextInt(NAMES.length)];
        return rnd.nextInt(3) == 0 ? first : first + "/" + NAMES[rnd.nextInt(NAMES.length)];
    }

    private static void send(FerryClient c, Request r) throws IOException {
        Header h = Header.op(r.op()).put(Header.ID, c.nextId());
        switch (r.op()) {
            case "MKDIR" -> h.put("path", r.path()).put("parents", r.flag());
            case "DELETE" -> h.put("path", r.path()).put("recursive", r.flag());
            case "RENAME" -> h.put("from", r.path()).put("to", r.to()).put("overwrite", r.flag());
            case "PUT" -> h.put("path", r.path()).put("fileSize", (long) r.body().length).put("overwrite", r.flag());
            default -> h.put("path", r.path());
        }
        if (r.body() != null) {
            c.send(h, ByteBuffer.wrap(r.body()));
        } else {
            c.send(h);
        }
    }

    /** The answer as text: its header without times (the two roots' clocks differ), then its body. */
    private static String readAnswer(FerryClient c) throws IOException {
        Header h = c.readHeader();
        byte[] body = new byte[(int) h.size()];
        ByteBuffer dst = ByteBuffer.wrap(body);
        while (dst.hasRemaining()) {
            if (c.readBody(dst) < 0) {
                throw new IOException("connection ended inside a body");
            }
        }
        Map<String, Object> fields = new TreeMap<>(h.asMap());
        fields.remove(Header.ID);
        String text = new String(body, StandardCharsets.UTF_8);
        fields.remove("mtime");
        if ("LIST".equals(h.op())) {
            text = text.replaceAll("\"mtime\":\\d+", "").replaceAll("\"type\":\"dir\",\"fileSize\":\\d+", "dir");
        }
        if ("dir".equals(fields.get("type"))) {
            fields.remove("fileSize"); // a folder's size depends on the filesystem's history
        }
        return h.op() + " " + fields + " body=" + text;
    }

    /** Every entry under {@code root} with its type and contents. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted()::iterator) {
                String rel = root.relativize(p).toString();
                out.put(rel, Files.isDirectory(p) ? "dir" : new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }
}
