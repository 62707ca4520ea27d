package ferry.cli;

import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import ferry.reactor.Version;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** The {@code ferry} command. Minimal for now: {@code serve}, {@code --version}, {@code --help}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("usage: ferry serve [--root DIR] [--listen HOST:PORT] [--anonymous-read]");
            out.println("       ferry --version");
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version")) {
            out.println("ferry " + Version.VERSION);
            return 0;
        }
        if (!args[0].equals("serve")) {
            err.println("ferry: unknown command '" + args[0] + "' (try ferry --help)");
            return 2;
        }
        String root = "data";
        String listen = ServerConfig.DEFAULT_BIND_ADDRESS + ":" + ServerConfig.DEFAULT_PORT;
        boolean anonymousRead = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--root") && i + 1 < args.length) {
                root = args[++i];
            } else if (args[i].equals("--listen") && i + 1 < args.length) {
                listen = args[++i];
            } else if (args[i].equals("--anonymous-read")) {
                anonymousRead = true;
            } else {
                err.println("ferry serve: unknown option '" + args[i] + "'");
                return 2;
            }
        }
        try {
            Path rootDir = Path.of(root).toAbsolutePath().normalize();
            Files.createDirectories(rootDir);
            int colon = listen.lastIndexOf(':');
            ServerConfig.Builder b = ServerConfig.builder()
                    .bindAddress(listen.substring(0, colon))
                    .port(Integer.parseInt(listen.substring(colon + 1)));
            if (anonymousRead) {
                b.anonymousRights(java.util.EnumSet.of(ferry.reactor.Right.READ));
            }
            ServerConfig config = b.build();
            FerryServer server = new FerryServer(config, new ServerLog(err, ServerLog.Level.INFO));
            server.start();
            out.println("ferry " + Version.VERSION + " listening on " + config.bindAddress() + ":" + server.port()
                    + ", root " + rootDir);
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.stop();
                stopped.countDown();
            }, "ferry-shutdown"));
            stopped.await();
            return 0;
        } catch (Exception e) {
            err.println("ferry serve: " + e.getMessage());
            return 1;
        }
    }
}
