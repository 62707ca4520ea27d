package ferry.multihost;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a class of multi-host tests: tagged {@code multihost} (so {@code -DexcludedGroups=multihost}
 * or {@code -Dgroups=multihost} select them) and guarded by {@link DockerRequirement} (skipped
 * with one clear line where no engine runs, failing where Docker is required). Such classes are
 * named {@code *IT}: maven-failsafe runs them after {@code package}, when reactor/target/ferry.jar
 * exists.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("multihost")
@ExtendWith(DockerRequirement.class)
public @interface MultiHost {
}
