package ferry.services.file;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ferry.client.FerryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a GET costs the disk side, counted rather than timed: the file is found, checked and
 * opened with one walk from the root handle (a stat walk and an open walk were two), whatever
 * the depth of its folder.
 */
class GetWalksTest {
    private static final int GETS = 5;
    private static final int FILE_BYTES = 4096;

    @TempDir
    Path tmp;

    @Test
    void aGetWalksThePathOnce() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("a/b"));
        byte[] content = TestData.bytes(FILE_BYTES, 7);
        Files.write(root.resolve("a/b/f.bin"), content);
        try (FileTestServer s = FileTestServer.start(root); FerryClient c = s.connect()) {
            RootFiles files = s.service.rootFiles();
            assumeTrue(files.usesHandles(), "no folder handles on this platform: nothing is walked");
            assertArrayEquals(content, FileTransferTest.get(c, "a/b/f.bin", 0, -1));
            long before = files.walks();
            for (int i = 0; i < GETS; i++) {
                assertArrayEquals(content, FileTransferTest.get(c, "a/b/f.bin", 0, -1));
            }
            assertEquals(GETS, files.walks() - before, "one walk per GET");
        }
    }
}
