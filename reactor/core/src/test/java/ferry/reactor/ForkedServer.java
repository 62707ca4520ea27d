package ferry.reactor;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A server in its own JVM, for tests that need process-wide conditions such as a low file
 * descriptor limit. Driven over stdin/stdout, one command per line:
 * {@code stats} (prints a STATS line), {@code advance MS} (moves its fake clock and runs every
 * loop once), {@code quit}. On start it prints {@code PORT p FDS n LIMIT l}.
 */
public final class ForkedServer {
    private ForkedServer() {}

    public static void main(String[] args) throws Exception {
        FakeClock clock = new FakeClock();
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).clock(clock).shutdownGraceMillis(100).build(),
                new ServerLog(System.err, ServerLog.Level.WARN));
        server.start();
        System.out.println("PORT " + server.port() + " FDS " + ServerInternals.openFileDescriptors() + " LIMIT " + fdLimit());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("stats")) {
                ServerStats s = server.stats();
                System.out.println("STATS acceptErrors=" + s.acceptErrors.sum() + " open=" + s.connectionsOpen.get()
                        + " accepted=" + s.connectionsAccepted.sum() + " loopErrors=" + server.loopErrors()
                        + " fds=" + fdsOrMinusOne());
            } else if (line.startsWith("advance ")) {
                clock.advanceMillis(Long.parseLong(line.substring(8).trim()));
                server.sweepAllNow(); // runs a task on every loop: they wake up and run due timers
                System.out.println("OK");
            } else if (line.equals("quit")) {
                break;
            }
            System.out.flush();
        }
        server.stop(1, TimeUnit.SECONDS);
        System.out.println("BYE");
        System.out.flush();
    }

    /** Listing /proc/self/fd needs a descriptor itself, which fails while the process is out of them. */
    private static long fdsOrMinusOne() {
        try {
            return ServerInternals.openFileDescriptors();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String fdLimit() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (l.startsWith("Max open files")) {
                return l.substring("Max open files".length()).trim().split("\\s+")[0];
            }
        }
        return "unknown";
    }
}
