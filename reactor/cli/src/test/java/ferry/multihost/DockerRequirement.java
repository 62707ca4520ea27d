package ferry.multihost;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Decides whether the multi-host tests can run here, once per JVM, and what happens when they
 * cannot: where Docker is optional (a laptop without it) they are skipped, with one line saying
 * why; where it is required ({@code FERRY_REQUIRE_DOCKER=1} in the environment, as {@code .ci/run}
 * sets, or {@code -Dferry.requireDocker=true}) every multi-host class fails with that reason, so
 * the tests cannot vanish from a CI run. Testcontainers' own {@code disabledWithoutDocker} would
 * skip silently in both cases.
 *
 * <p>"Can run" means: the two environment variables that stop Testcontainers from pulling its
 * helper images reached this JVM, an engine answers, and the image exists locally (nothing can be
 * pulled on these machines).
 *
 * <p>Thread safety: the verdict is computed once under the class lock; reads are safe from any thread.
 */
public final class DockerRequirement implements ExecutionCondition {
    /** Image the hosts run when the build does not say ({@code ferry.hostImage} in pom.xml). */
    public static final String DEFAULT_IMAGE = "local/ferry-host:jdk17-r2";
    /** Environment variable that makes a missing engine an error ({@code 1}, {@code true}, {@code yes}). */
    public static final String REQUIRE_ENV = "FERRY_REQUIRE_DOCKER";
    /** System property with the same meaning, for {@code mvn -Dferry.requireDocker=true}. */
    public static final String REQUIRE_PROPERTY = "ferry.requireDocker";

    private static Verdict verdict;

    /** The outcome of the checks: {@code problem} is null when multi-host tests can run. */
    public record Verdict(String image, boolean required, String problem) {
        public boolean canRun() {
            return problem == null;
        }

        /** The one line a skipped run prints. */
        public String skipLine() {
            return "multi-host tests SKIPPED: " + problem + " (Docker is optional here; set "
                    + REQUIRE_ENV + "=1 to make this an error)";
        }

        /** The message a run that requires Docker fails with. */
        public String failure() {
            return "multi-host tests need Docker (" + REQUIRE_ENV + "=1 or -D" + REQUIRE_PROPERTY
                    + "=true) but " + problem;
        }
    }

    /** The image name the build configured. */
    public static String image() {
        return System.getProperty("ferry.hostImage", DEFAULT_IMAGE);
    }

    /** Whether this run demands Docker: a skip would then hide missing tests. */
    public static boolean required() {
        String env = System.getenv(REQUIRE_ENV);
        boolean fromEnv = env != null && switch (env.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            default -> false;
        };
        return fromEnv || Boolean.getBoolean(REQUIRE_PROPERTY);
    }

    public static synchronized Verdict verdict() {
        if (verdict == null) {
            verdict = new Verdict(image(), required(), findProblem(image()));
        }
        return verdict;
    }

    private static String findProblem(String image) {
        // Without these two, Testcontainers tries to pull ryuk and alpine and retries for minutes.
        if (!"true".equals(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))
                || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") == null) {
            return "TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=localhost are not in this "
                    + "JVM's environment (the poms' surefire/failsafe <environmentVariables> set them)";
        }
        // Cheap test first, so a machine without Docker does not wake Testcontainers' probing.
        if (!engineConfigured()) {
            return "no Docker engine here (no DOCKER_HOST, no docker.sock); .ci/docker-setup.sh installs and starts one";
        }
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return "no Docker engine answers; .ci/docker-setup.sh installs and starts one";
            }
        } catch (RuntimeException | LinkageError e) {
            return "no Docker engine answers (" + e + ")";
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (RuntimeException e) {
            return "image " + image + " is not built here (" + e.getClass().getSimpleName()
                    + "); .ci/docker-setup.sh builds it without a registry";
        }
        return null;
    }

    /**
     * Whether anything points at an engine: DOCKER_HOST, a socket where Docker, Docker Desktop,
     * rootless Docker, Colima or Rancher Desktop put theirs, or a host in Testcontainers' own
     * configuration file (which it also writes for itself, so only its host keys count).
     */
    private static boolean engineConfigured() {
        if (System.getenv("DOCKER_HOST") != null) {
            return true;
        }
        Path home = Path.of(System.getProperty("user.home"));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        List<Path> sockets = new ArrayList<>(List.of(Path.of("/var/run/docker.sock"), home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock"), home.resolve(".colima/default/docker.sock"),
                home.resolve(".rd/docker.sock")));
        if (runtimeDir != null) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
        }
        if (sockets.stream().anyMatch(Files::exists)) {
            return true;
        }
        Properties tc = new Properties();
        try (Reader r = Files.newBufferedReader(home.resolve(".testcontainers.properties"))) {
            tc.load(r);
        } catch (IOException e) {
            return false;
        }
        return tc.containsKey("docker.host") || tc.containsKey("tc.host");
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Verdict v = verdict();
        if (v.canRun()) {
            return ConditionEvaluationResult.enabled("Docker engine and image " + v.image() + " available");
        }
        if (v.required()) {
            // Throwing here fails the class with this message instead of skipping it.
            throw new IllegalStateException(v.failure());
        }
        return ConditionEvaluationResult.disabled(v.skipLine());
    }
}
