package ferry.services.exec;

import ferry.protocol.Json;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processes of one run, so a timeout or a cancel can stop all of them: the command itself
 * (our child), every descendant seen so far, and, when the command leads its own process group,
 * every member of that group.
 *
 * <p>Why the group: {@link ProcessHandle#descendants()} follows parent links, and a double-forked
 * process ({@code (daemon &)}) is reparented to init the moment its parent exits, so it is nobody's
 * descendant any more. It is still in the process group, so commands are started through
 * {@code setsid} (their own session and group, pgid = their pid) and the group is signalled with
 * {@code kill -s SIG -- -PGID}, which the kernel applies to the whole group at once. Limits, on
 * Linux: a process that calls {@code setsid()} itself (a real daemon) leaves both the tree and
 * the group and survives; only a cgroup would hold it. Without setsid (or without {@code /proc})
 * the descendants snapshot is all there is.
 *
 * <p>Liveness reads {@code /proc/PID/stat}: a zombie is dead. This matters because a killed
 * orphan is reaped by init, and an init that does not reap (common in containers) would otherwise
 * keep it "alive" to {@link ProcessHandle#isAlive()} forever.
 *
 * <p>Threading: {@link #signal} and {@link #allGone} block briefly (they start {@code kill} and
 * read {@code /proc}): call them on the exec killer thread, never on the event loop.
 */
final class ProcessTree {
    private static final Path PROC = Path.of("/proc");

    private final Process leader;
    private final long pgid;
    private final String killBinary;
    private final Set<ProcessHandle> known = ConcurrentHashMap.newKeySet();

    /**
     * @param pgid the command's own process group id (its pid, when started through setsid), or -1
     * @param killBinary the {@code kill} program for group signals, or null
     */
    ProcessTree(Process leader, long pgid, String killBinary) {
        this.leader = leader;
        this.pgid = pgid;
        this.killBinary = killBinary;
    }

    long pid() {
        return leader.pid();
    }

    boolean usesGroup() {
        return pgid > 0;
    }

    /**
     * Sends SIGTERM ({@code force} false) or SIGKILL to every process of the run.
     *
     * @return whether the command itself was still running when it was signalled: checked in
     *     /proc (a zombie has exited) right before its signal, so a command that exited by itself
     *     while the loop decided to stop it is not reported as killed. The command goes first so
     *     that the window between check and signal is one system call, not a {@code kill} spawn.
     */
    boolean signal(boolean force) {
        remember();
        boolean commandRunning = running(leader.toHandle());
        if (commandRunning) {
            destroy(leader.toHandle(), force);
        }
        if (pgid > 0 && killBinary != null && (leader.isAlive() || !groupMembers().isEmpty())) {
            // Only while the group provably exists: a pgid in use cannot be handed to a new process.
            signalGroup(force);
        }
        for (ProcessHandle h : known) {
            destroy(h, force);
        }
        for (long pid : groupMembers()) {
            ProcessHandle.of(pid).ifPresent(h -> destroy(h, force));
        }
        return commandRunning;
    }

    /** Whether the command and every process seen or found in its group has exited (zombies count as exited). */
    boolean allGone() {
        if (running(leader.toHandle())) {
            return false;
        }
        for (ProcessHandle h : known) {
            if (running(h)) {
                return false;
            }
        }
        return groupMembers().isEmpty();
    }

    /** Processes still running: for the log when a run gives up waiting. */
    List<Long> survivors() {
        List<Long> s = new ArrayList<>();
        if (running(leader.toHandle())) {
            s.add(leader.pid());
        }
        for (ProcessHandle h : known) {
            if (running(h)) {
                s.add(h.pid());
            }
        }
        for (long pid : groupMembers()) {
            if (!s.contains(pid)) {
                s.add(pid);
            }
        }
        return s;
    }

    /** Adds the current descendants of everything known: a parent must be snapshotted before it dies. */
    private void remember() {
        if (leader.isAlive()) {
            leader.descendants().forEach(known::add);
        }
        for (ProcessHandle h : new ArrayList<>(known)) {
            if (h.isAlive()) {
                h.descendants().forEach(known::add);
            }
        }
    }

    private void signalGroup(boolean force) {
        try {
            Process k = new ProcessBuilder(killBinary, "-s", force ? "KILL" : "TERM", "--", "-" + pgid)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            k.waitFor();
        } catch (IOException e) {
            // Fall through to per-process signals, which still reach everything we know of.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void destroy(ProcessHandle h, boolean force) {
        try {
            if (force) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        } catch (IllegalStateException | SecurityException e) {
            // our own JVM or not ours to signal: nothing to do
        }
    }

    /** Live members of the command's process group, read from /proc (empty without a group or /proc). */
    private List<Long> groupMembers() {
        List<Long> members = new ArrayList<>();
        if (pgid <= 0 || !Files.isDirectory(PROC)) {
            return members;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                String stat = readStat(d);
                if (stat == null) {
                    continue;
                }
                // "pid (comm) S ppid pgrp ...": comm may contain anything, so parse after the last ')'.
                int close = stat.lastIndexOf(')');
                if (close < 0) {
                    continue;
                }
                String[] f = stat.substring(close + 1).trim().split(" ");
                if (f.length > 2 && isRunningState(f[0]) && Long.parseLong(f[2]) == pgid) {
                    members.add(Long.parseLong(name));
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc changed under us; the next check looks again
        }
        return members;
    }

    /** Longest command line {@link #describe} shows per process, in characters. */
    static final int MAX_SHOWN_COMMAND_CHARS = 200;

    /**
     * Names processes for the log: pid and command line (from /proc, JSON-quoted so that nothing
     * a command put in its arguments can forge log lines), and whether each is left in the run's
     * tree or group or holds its pipes from outside, e.g.
     * {@code 4242 "sleep 1000" (holds its pipes)}. Reads /proc: not on the loop.
     */
    static String describe(List<Long> inTree, List<Long> holders) {
        List<String> parts = new ArrayList<>();
        for (long pid : inTree) {
            parts.add(pid + " " + commandLine(pid) + (holders.contains(pid) ? " (in its tree, holds its pipes)" : " (in its tree)"));
        }
        for (long pid : holders) {
            if (!inTree.contains(pid)) {
                parts.add(pid + " " + commandLine(pid) + " (escaped its tree, holds its pipes)");
            }
        }
        return parts.isEmpty() ? "none found" : String.join(", ", parts);
    }

    /** {@code /proc/PID/cmdline} with its NULs as spaces, cut to {@link #MAX_SHOWN_COMMAND_CHARS}, JSON-quoted. */
    static String commandLine(long pid) {
        String line;
        try {
            byte[] b = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            line = new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException | RuntimeException e) {
            line = "";
        }
        if (line.isEmpty()) {
            line = "?"; // gone, a kernel thread, or not ours to read
        } else if (line.length() > MAX_SHOWN_COMMAND_CHARS) {
            line = line.substring(0, MAX_SHOWN_COMMAND_CHARS) + "...";
        }
        return Json.write(line);
    }

    /** Alive and not a zombie. */
    static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        String state = procState(h.pid());
        return state == null || isRunningState(state);
    }

    /** The state letter from /proc/PID/stat, or null when unknown (no /proc, or the process is gone). */
    static String procState(long pid) {
        String stat = readStat(PROC.resolve(Long.toString(pid)));
        if (stat == null) {
            return null;
        }
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return null;
        }
        return stat.substring(close + 2, close + 3);
    }

    private static boolean isRunningState(String s) {
        return !s.equals("Z") && !s.equals("X") && !s.equals("x");
    }

    private static String readStat(Path procDir) {
        try {
            return new String(Files.readAllBytes(procDir.resolve("stat")), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Finds an executable named {@code name} in the usual system folders, or null. */
    static String findTool(String name, List<Path> searchPath) {
        Path p = ExecPolicy.search(name, searchPath);
        if (p == null) {
            p = ExecPolicy.search(name, List.of(Path.of("/usr/bin"), Path.of("/bin")));
        }
        return Optional.ofNullable(p).map(Path::toString).orElse(null);
    }
}
