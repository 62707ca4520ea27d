package ferry.examples;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.FerryServer;
import ferry.reactor.FerryService;
import ferry.reactor.OpException;
import ferry.reactor.Sequencing;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerContext;
import ferry.reactor.ServerLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An application embedding Ferry's reactor: it starts a server in-process on port 0, adds ops of
 * its own beside the built-in ones (one answered on the loop, one streaming its request body,
 * one doing blocking work on the workers), reads the bound port, and stops it.
 * docs/EMBEDDING.md quotes this file.
 */
class EmbeddedServerTest {

    /** The application's service: its ops and what they need, installed before start(). */
    static final class WordService implements FerryService {
        /** Largest body SHA256 takes. */
        static final int MAX_HASHED_BYTES = 1024 * 1024;
        private ServerContext ctx;

        @Override
        public void install(ServerContext ctx) {
            this.ctx = ctx;
            // allowed before login, like PING; READ: may run beside other reads on the connection
            ctx.registerPublic("UPPER", this::upper, Sequencing.READ);
            ctx.registerPublic("SHA256", this::sha256, Sequencing.READ);
            ctx.addFeature("words");                      // HELLO lists it
        }

        /** Loop thread: answers at once from the header alone. */
        private BodySink upper(Call call) throws OpException {
            String text = call.request().getString("text", null);
            if (text == null) {
                throw OpException.badRequest("UPPER needs \"text\"");
            }
            call.reply(Header.reply("UPPER", call.id()).put("text", text.toUpperCase(java.util.Locale.ROOT)));
            return null; // no body expected
        }

        /**
         * The body arrives on the loop; {@link BodySink#collect} gathers a small one (refusing one
         * over the limit with {@code too_large} before buffering any of it). Hashing is CPU work,
         * so it goes to a worker, and the answer comes back to the loop through the completion.
         */
        private BodySink sha256(Call call) throws OpException {
            return BodySink.collect(call, MAX_HASHED_BYTES, body -> ctx.workers().submit(call,
                    () -> MessageDigest.getInstance("SHA-256").digest(body.array()),   // worker thread
                    (digest, error) -> {                                               // back on the loop
                        if (error != null) {
                            call.fail(error);
                        } else {
                            call.reply(Header.reply("SHA256", call.id()).put("hex", HexFormat.of().formatHex(digest)));
                        }
                    }));
        }
    }

    @Test
    void anApplicationAddsItsOwnOpsBesideTheBuiltInOnes() throws Exception {
        FerryServer server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
        server.install(new WordService());
        server.start();
        try (FerryClient client = FerryClient.connect("127.0.0.1", server.port())) {
            assertTrue(client.hello().optList("features").contains("words"));
            assertEquals("FERRY", client.call(Header.op("UPPER").put("text", "ferry")).getString("text", null));

            byte[] data = "two sends may arrive glued together".getBytes(StandardCharsets.UTF_8);
            Header req = Header.op("SHA256").put(Header.ID, client.nextId());
            client.send(req, ByteBuffer.wrap(data));
            Header answer = client.expect(client.readHeader(), "SHA256", req.id());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), answer.getString("hex", null));

            RemoteException bad = assertThrows(RemoteException.class, () -> client.call(Header.op("UPPER")));
            assertEquals(ErrorCode.BAD_REQUEST, bad.code());
            Header big = Header.op("SHA256").put(Header.ID, client.nextId());
            client.send(big, ByteBuffer.allocate(WordService.MAX_HASHED_BYTES + 1));
            RemoteException tooLarge = assertThrows(RemoteException.class, () -> client.expect(client.readHeader(), "SHA256", big.id()));
            assertEquals(ErrorCode.TOO_LARGE, tooLarge.code());
            assertEquals(32, client.ping(new byte[32]).length, "the built-in ops are still there, and the connection too");
        } finally {
            server.stop(1, TimeUnit.SECONDS);
        }
        assertFalse(server.isRunning());
    }
}
