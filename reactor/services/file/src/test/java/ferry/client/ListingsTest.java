package ferry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ferry.protocol.ErrorCode;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Pipelined LIST: answers matched to their folders in order, refusals in place, a window of one or many. */
@Timeout(30)
class ListingsTest {
    private static final int FOLDERS = 150;

    @TempDir
    Path root;
    private FerryServer server;
    private FerryClient client;

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < FOLDERS; i++) {
            Path d = Files.createDirectories(root.resolve("d" + i));
            for (int j = 0; j <= i % 4; j++) {
                Files.writeString(d.resolve("f" + j), "x".repeat(i));
            }
        }
        Files.writeString(root.resolve("plain"), "a file");
        server = new FerryServer(ServerConfig.builder().port(0).build());
        server.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).build()));
        server.start();
        client = FerryClient.connect("127.0.0.1", server.port());
        client.hello();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.stop();
    }

    @Test
    void eachFolderGetsItsOwnAnswerInOrderWhateverTheWindow() throws Exception {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < FOLDERS; i++) {
            paths.add("d" + i);
            if (i == 70) {
                paths.add("missing");
                paths.add("plain");
            }
        }
        for (int window : new int[] {1, 7, 64, 1000}) {
            List<Listings.Listing> got = new FileClient(client).list(paths, window);
            assertEquals(paths.size(), got.size());
            for (int k = 0; k < got.size(); k++) {
                Listings.Listing l = got.get(k);
                assertEquals(paths.get(k), l.path());
                if (l.path().equals("missing")) {
                    assertEquals(ErrorCode.NOT_FOUND, l.error().code());
                } else if (l.path().equals("plain")) {
                    assertEquals(ErrorCode.BAD_REQUEST, l.error().code());
                } else {
                    assertNull(l.error());
                    int i = Integer.parseInt(l.path().substring(1));
                    assertEquals(i % 4 + 1, l.entries().size(), l.path());
                    assertEquals(i, l.entries().get(0).fileSize(), l.path());
                }
            }
            assertEquals(List.of(), new FileClient(client).list("d0").stream()
                    .filter(e -> !e.isFile()).toList(), "the connection is in step afterwards");
        }
    }

    @Test
    void aWindowBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FileClient(client).list(List.of("d0"), 0));
    }
}
