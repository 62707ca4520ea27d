package ferry.reactor;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Test-only views of a running server's internals and of this process's resources. */
final class ServerInternals {
    private ServerInternals() {}

    static EventLoop[] loops(FerryServer server) throws Exception {
        Field f = FerryServer.class.getDeclaredField("loops");
        f.setAccessible(true);
        return (EventLoop[]) f.get(server);
    }

    /** Open file descriptors of this JVM (Linux), or -1 where /proc is not there. */
    static long openFileDescriptors() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(fds)) {
            return s.count();
        }
    }
}
