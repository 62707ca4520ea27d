package ferry.loadtest;

import java.util.List;

/** The scenarios by name. */
public final class Scenarios {
    /** Names {@code --help} lists, in order. */
    public static final List<String> NAMES = List.of("ping", "pipeline", "idle", "get", "put", "mixed");

    private Scenarios() {}

    /** Whether scenario {@code name} moves files (and so needs the file service and a root). */
    public static boolean usesFiles(String name) {
        return "get".equals(name) || "put".equals(name) || "mixed".equals(name);
    }

    /**
     * The scenario called {@code name}.
     *
     * @throws IllegalArgumentException unknown
     */
    public static Scenario byName(String name) {
        switch (name) {
            case "ping":
            case "pipeline":
                return new PingScenario(name);
            case "idle":
                return new IdleScenario();
            case "get":
            case "put":
            case "mixed":
                return new FileScenario(name);
            default:
                throw new IllegalArgumentException("unknown scenario '" + name + "' (one of " + String.join(", ", NAMES) + ")");
        }
    }

    /** {@code ping} and {@code pipeline}: the same closed loop of PINGs, with different defaults. */
    static final class PingScenario implements Scenario {
        private final String name;

        PingScenario(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ConnectionScript newScript(Options o, int index) {
            return new PingScript(o.depth, o.bodyBytes, false);
        }
    }

    /** {@code idle}: hold connections; one PING each. */
    static final class IdleScenario implements Scenario {
        @Override
        public String name() {
            return "idle";
        }

        @Override
        public ConnectionScript newScript(Options o, int index) {
            return new PingScript(1, o.bodyBytes, true);
        }

        @Override
        public boolean holdsIdle() {
            return true;
        }
    }
}
