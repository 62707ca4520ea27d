package ferry.services.exec;

/** Test helpers about processes (Linux /proc aware: a zombie is dead). */
final class Procs {
    private Procs() {}

    /** Whether {@code pid} is a live process (not gone, not a zombie). */
    static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessTree::running).orElse(false);
    }

    /** Whether setsid-based process groups are in use on this machine. */
    static boolean groupsAvailable(ExecService s) {
        return s.usesProcessGroups() && s.killBinary() != null;
    }
}
