package ferry.multihost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * The one place that says, in one line, that the multi-host tests were skipped, and the check
 * that makes a CI run fail instead: with {@code FERRY_REQUIRE_DOCKER=1} (or
 * {@code -Dferry.requireDocker=true}) it asserts that the engine answers and the image exists,
 * so multi-host tests cannot silently disappear.
 */
@Tag("multihost")
class DockerGuardIT {
    @Test
    void dockerAndImageAvailableWhereRequired() {
        DockerRequirement.Verdict v = DockerRequirement.verdict();
        if (!v.canRun() && !v.required()) {
            System.err.println(v.skipLine());
            Assumptions.abort(v.skipLine());
        }
        assertTrue(v.canRun(), v::failure);
        // The checks themselves, spelled out (the verdict already did them once):
        assertEquals("true", System.getenv("TESTCONTAINERS_RYUK_DISABLED"), "surefire/failsafe environmentVariables");
        assertEquals("localhost", System.getenv("TESTCONTAINERS_HOST_OVERRIDE"), "surefire/failsafe environmentVariables");
        assertTrue(DockerClientFactory.instance().isDockerAvailable(), "Docker engine answers");
        assertNotNull(DockerClientFactory.instance().client().inspectImageCmd(v.image()).exec().getId(),
                "image " + v.image() + " exists");
    }
}
