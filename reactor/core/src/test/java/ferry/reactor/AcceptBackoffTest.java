package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ferry.protocol.Header;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Out of file descriptors, {@code accept()} fails (EMFILE) while the listening socket stays
 * readable, so a naive acceptor retries on every loop pass at 100% CPU. The server runs in a
 * child JVM with {@code ulimit -n 256} and a fake clock that the test holds still: with the
 * back-off, accept fails exactly once and stays paused however long the condition lasts (a
 * spinning acceptor would count thousands of failures); existing connections are served meanwhile;
 * once descriptors are free and the clock passes the back-off, the queued clients are served.
 */
@EnabledOnOs(OS.LINUX)
class AcceptBackoffTest {
    private static final int FD_LIMIT = 256;

    @TempDir
    Path tmp;

    @Test
    void outOfFileDescriptorsTheAcceptorBacksOffInsteadOfSpinningThenRecovers() throws Exception {
        Path stderr = tmp.resolve("server-stderr.txt");
        List<RawPeer> clients = new ArrayList<>();
        try (Child child = Child.start(classpath(), stderr)) {
            String[] hello = child.line().split(" "); // PORT p FDS n LIMIT l
            assertEquals("PORT", hello[0], String.join(" ", hello));
            assumeTrue(String.valueOf(FD_LIMIT).equals(hello[5]), "the child's fd limit is " + hello[5]);
            int port = Integer.parseInt(hello[1]);

            // connect until the server cannot accept any more
            while (child.stats().get("acceptErrors") == 0) {
                assertTrue(clients.size() < FD_LIMIT, "the limit should have been hit by now");
                clients.add(new RawPeer(port));
                int expected = clients.size();
                child.waitFor(s -> s.get("accepted") == expected || s.get("acceptErrors") > 0);
            }
            // Linux takes the descriptor before it looks for a pending connection, so accept fails
            // as soon as the table is full, whether or not the last client got in.
            long accepted = child.stats().get("accepted");
            assertTrue(accepted == clients.size() || accepted == clients.size() - 1, accepted + " of " + clients.size());
            for (int i = 0; i < 5; i++) {
                clients.add(new RawPeer(port)); // these wait in the kernel's backlog
            }
            List<RawPeer> queued = new ArrayList<>(clients.subList((int) accepted, clients.size()));

            // the condition lasts while the loop keeps working: accept is not retried
            RawPeer served = clients.get(0);
            for (int i = 0; i < 50; i++) {
                served.send(Header.op("PING").put(Header.ID, i));
                assertEquals("PONG", served.read().op(), "existing connections are served while accept is paused");
            }
            Map<String, Long> during = child.stats();
            assertEquals(1, during.get("acceptErrors"), "one failed accept, then a pause, not a spin");
            assertEquals(0, during.get("loopErrors"));
            assertEquals(accepted, during.get("accepted"));

            // free descriptors, let the back-off pass: the queued clients are served
            for (RawPeer c : clients.subList(1, 21)) {
                c.close();
            }
            child.waitFor(s -> s.get("open") == accepted - 20);
            child.command("advance 200");
            child.waitFor(s -> s.get("accepted") == accepted + queued.size());
            for (RawPeer q : queued) {
                q.send(Header.op("PING").put(Header.ID, 1));
                assertEquals("PONG", q.read().op());
            }
            assertEquals(1, child.stats().get("acceptErrors"));
            String log = Files.readString(stderr);
            assertTrue(log.contains("accept failed") && log.contains("pausing accepts"), log);
        } finally {
            for (RawPeer c : clients) {
                c.close();
            }
        }
    }

    /** A jar of the server's and this test's classes: the child opens one file for all of them. */
    private Path classpath() throws IOException, URISyntaxException {
        Path jar = tmp.resolve("forked-server.jar");
        List<String> entries = new ArrayList<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> c : new Class<?>[] {FerryServer.class, ForkedServer.class, Header.class}) {
                Path loc = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (!Files.isDirectory(loc)) {
                    entries.add(loc.toString()); // already a jar (the protocol module when packaged)
                    continue;
                }
                try (Stream<Path> files = Files.walk(loc)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        String name = loc.relativize(f).toString().replace('\\', '/');
                        if (!name.startsWith("ferry/")) {
                            continue;
                        }
                        try {
                            out.putNextEntry(new JarEntry(name));
                        } catch (java.util.zip.ZipException duplicate) {
                            continue;
                        }
                        out.write(Files.readAllBytes(f));
                        out.closeEntry();
                    }
                }
            }
        }
        entries.add(0, jar.toString());
        return Path.of(String.join(java.io.File.pathSeparator, entries));
    }

    /** The child JVM and its command channel. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final PrintStream commands;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Child(Process process) {
            this.process = process;
            this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // the child is gone
                }
            }, "forked-server-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path classpath, Path stderr) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "ulimit -n " + FD_LIMIT + " && exec \"$0\" \"$@\"",
                    java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath.toString(),
                    ForkedServer.class.getName());
            pb.redirectError(stderr.toFile());
            return new Child(pb.start());
        }

        String line() throws InterruptedException {
            String l = lines.poll(20, TimeUnit.SECONDS);
            assertNotNull(l, "the child server did not answer");
            return l;
        }

        String command(String c) throws InterruptedException {
            commands.println(c);
            return line();
        }

        Map<String, Long> stats() throws InterruptedException {
            String l = command("stats");
            assertTrue(l.startsWith("STATS "), l);
            Map<String, Long> m = new HashMap<>();
            for (String kv : l.substring(6).split(" ")) {
                String[] p = kv.split("=");
                m.put(p[0], Long.parseLong(p[1]));
            }
            return m;
        }

        interface Condition {
            boolean test(Map<String, Long> stats);
        }

        /** Polls the child's stats until {@code c} holds (an event in another process, not a timing). */
        void waitFor(Condition c) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, Long> s;
            while (!c.test(s = stats())) {
                if (System.nanoTime() > deadline) {
                    fail("condition not met within 10 s; child stats " + s);
                }
                Thread.sleep(5);
            }
        }

        @Override
        public void close() throws Exception {
            try {
                commands.println("quit");
            } finally {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }
}
