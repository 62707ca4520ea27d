package ferry.loadtest;

import ferry.protocol.Json;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Ferry server for out-of-process benchmark runs, started by {@code --target spawn} (or by hand):
 * the core server with the benchmark's settings, plus a control channel on stdin/stdout so the
 * harness can read its memory after a GC it asks for. With {@code --root} it also serves that
 * folder with the file service's defaults (the file scenarios).
 *
 * <pre>
 * java -cp ferry-loadtest.jar ferry.loadtest.BenchServer [--listen HOST:PORT] [--nodelay on|off]
 *      [--max-connections N] [--loops N] [--hold-ms N] [--root DIR [--no-sync]]
 * stdout: FERRY-BENCH-SERVER port=PORT pid=PID       (once listening)
 * stdin:  "sample" or "sample gc"  -> one JSON line of integers (see ServerSample#toMap)
 *         "quit" or end of input   -> stops and exits
 * </pre>
 *
 * <p>Exiting on end of input means a server whose harness died does not outlive it.
 */
public final class BenchServer {
    static final String READY_PREFIX = "FERRY-BENCH-SERVER";

    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        String listen = "127.0.0.1:0";
        boolean noDelay = ServerConfig.DEFAULT_TCP_NODELAY;
        int maxConnections = 100_000;
        int loops = 1;
        long holdMillis = 0;
        String root = null;
        boolean sync = true;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--listen": listen = v; i++; break;
                case "--nodelay": noDelay = "on".equals(v) || "true".equals(v); i++; break;
                case "--max-connections": maxConnections = Integer.parseInt(v); i++; break;
                case "--loops": loops = Integer.parseInt(v); i++; break;
                case "--hold-ms": holdMillis = Long.parseLong(v); i++; break;
                case "--root": root = v; i++; break;
                case "--no-sync": sync = false; break;
                default:
                    System.err.println("BenchServer: unknown option " + args[i]);
                    System.exit(2);
            }
        }
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon);
        int port = Integer.parseInt(listen.substring(colon + 1));
        ServerConfig base = InProcessTarget.serverConfig(noDelay, maxConnections - InProcessTarget.CONNECTION_HEADROOM,
                loops, TimeUnit.MILLISECONDS.toNanos(holdMillis));
        ServerConfig config = base.toBuilder().bindAddress(host).port(port).build();
        FerryServer server = new FerryServer(config, ServerLog.NONE);
        if (root != null) {
            InProcessTarget.installFiles(server, Path.of(root), sync);
        }
        server.start();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println(READY_PREFIX + " port=" + server.port() + " pid=" + ProcessHandle.current().pid());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.trim();
                if (line.equals("quit")) {
                    break;
                }
                if (line.startsWith("sample")) {
                    out.println(Json.write(ServerProbe.sample(server, line.endsWith("gc")).toMap()));
                } else if (!line.isEmpty()) {
                    out.println("{\"error\":\"unknown command\"}");
                }
            }
        } catch (IOException e) {
            // the harness went away: stop
        }
        server.stop(1, TimeUnit.SECONDS);
        System.exit(0);
    }
}
