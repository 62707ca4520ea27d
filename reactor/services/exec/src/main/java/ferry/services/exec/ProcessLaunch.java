package ferry.services.exec;

import ferry.protocol.ErrorCode;
import ferry.reactor.OpException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How one {@link ExecRun} builds its process: the command line (the launch prefix, then the
 * resolved executable or the server's shell), a clean environment that carries none of the
 * server's own variables, the stdio FIFOs when the system has them, and the words for a failed
 * start that do not show the server's real paths.
 *
 * <p>Threading: used on the run's exec thread only; it holds no state that changes.
 */
final class ProcessLaunch {
    private final ExecService service;
    private final ExecConfig config;
    private final ExecSpec spec;
    private final String user;
    private final boolean hasStdin;
    private final String connectionName;

    /**
     * @param user the session's user, null when none is logged in
     * @param hasStdin whether the request body feeds the process's stdin
     * @param connectionName names the connection in log lines
     */
    ProcessLaunch(ExecService service, ExecSpec spec, String user, boolean hasStdin, String connectionName) {
        this.service = service;
        this.config = service.config();
        this.spec = spec;
        this.user = user;
        this.hasStdin = hasStdin;
        this.connectionName = connectionName;
    }

    /** A started process, and the FIFOs it was given (null: it has the JDK's pipes). */
    record Started(Process process, RunPipes fifos) {}

    /**
     * Resolves the working folder, builds the command and its environment, and starts it.
     *
     * @param home the session's home folder, relative to the root
     * @param dirResolved told the working folder's path before the process starts (for the log)
     * @throws OpException when the folder or the command is refused or missing
     * @throws IOException when the process could not be started
     */
    Started start(String home, Consumer<String> dirResolved) throws OpException, IOException {
        Path userDir = WorkingFolder.resolve(config.root(), home, null);
        Path dir = WorkingFolder.resolve(config.root(), home, spec.cwd());
        ProcessBuilder pb = builder(dir, userDir);
        RunPipes fifos = createPipes();
        if (fifos != null) {
            fifos.redirect(pb);
        }
        dirResolved.accept(dir.toString());
        try {
            return new Started(pb.start(), fifos);
        } catch (IOException | RuntimeException e) {
            if (fifos != null) {
                fifos.close();
            }
            throw e;
        } finally {
            if (fifos != null) {
                fifos.started();
            }
        }
    }

    /**
     * The process to start in {@code dir}, with only the environment commands are given.
     *
     * @param userDir the user's home folder, the command's {@code HOME}
     * @throws OpException when the executable or the shell is not there or not allowed
     */
    private ProcessBuilder builder(Path dir, Path userDir) throws OpException {
        ProcessBuilder pb = new ProcessBuilder(command(dir)).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.clear(); // the server's own environment (credentials, tokens) never reaches commands
        env.put("PATH", config.searchPathString());
        env.put("HOME", userDir.toString());
        env.put("FERRY_USER", user == null ? "" : user);
        for (String name : config.inheritedEnv()) {
            String v = System.getenv(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        env.putAll(spec.env());
        if (!hasStdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        return pb;
    }

    /**
     * FIFOs for the run's stdio, or null to use the JDK's pipes: where {@code mkfifo} is missing,
     * or creating them failed (logged; the run goes on, only an abandoned one keeps its slot).
     */
    private RunPipes createPipes() {
        RunPipes.Maker fifos = service.fifos();
        if (fifos == null) {
            return null;
        }
        try {
            return RunPipes.create(fifos, hasStdin);
        } catch (IOException e) {
            service.ctx().log().warn("exec " + connectionName + ": cannot create FIFOs (" + e.getMessage()
                    + "); using the JDK's pipes for this run");
            return null;
        }
    }

    /** The command line: [setsid [-w]] then the resolved executable and its arguments, or the shell. */
    private List<String> command(Path dir) throws OpException {
        List<String> cmd = new ArrayList<>(service.launchPrefix());
        if (spec.shell() != null) {
            if (!Files.isExecutable(Path.of(config.shell()))) {
                throw new OpException(ErrorCode.NOT_FOUND, "the server's shell is missing");
            }
            cmd.add(config.shell());
            cmd.add("-c");
            cmd.add(spec.shell());
        } else {
            Path exe = config.policy().resolve(spec.argv().get(0), config.searchPath(), dir);
            cmd.add(exe.toString());
            cmd.addAll(spec.argv().subList(1, spec.argv().size()));
        }
        return cmd;
    }

    /**
     * Why {@link ProcessBuilder#start} failed, without its message's program path and working
     * folder (the server's real paths): the JDK words it {@code Cannot run program "/srv/x" (in
     * directory "/srv/data/alice"): error=2, No such file or directory}, with the errno text in
     * the cause.
     */
    static String spawnReason(IOException e) {
        String m = e.getCause() instanceof IOException ? e.getCause().getMessage() : null;
        if (m == null) {
            int errno = String.valueOf(e.getMessage()).indexOf("error=");
            m = errno >= 0 ? e.getMessage().substring(errno) : e.getClass().getSimpleName();
        }
        return m.replaceFirst("^error=\\d+, ", "");
    }

    /** The ERROR code for a failed {@link ProcessBuilder#start}: the errno decides. */
    static String startErrorCode(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("error=2,")) {
            return ErrorCode.NOT_FOUND;
        }
        if (m.contains("error=13,")) {
            return ErrorCode.FORBIDDEN;
        }
        return ErrorCode.IO_ERROR;
    }
}
