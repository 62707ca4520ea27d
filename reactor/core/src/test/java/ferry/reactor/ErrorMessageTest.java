package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An ERROR must reach the client whatever the handler put in its message. Found by the file-ops
 * fuzzer: a refusal quoting a value cut in the middle of an emoji (an unpaired surrogate) made the
 * encoder throw on the loop, and the client lost its connection instead of getting its error; a
 * refusal quoting a value nearly as long as a header would not fit in one.
 */
class ErrorMessageTest {
    @Test
    void messagesAreCutAtCharacterBoundariesAndLoneSurrogatesReplaced() {
        assertEquals("plain", ErrorFrames.sendable("plain"));
        String emoji = "\ud83d\ude00";
        assertEquals("a" + emoji + "b", ErrorFrames.sendable("a" + emoji + "b"), "pairs are kept");
        assertEquals("cut \ufffd here", ErrorFrames.sendable("cut \ud83d here"));
        assertEquals("\ufffd", ErrorFrames.sendable("\ude00"));
        String longEmoji = emoji.repeat(ErrorFrames.MAX_MESSAGE_CHARS); // twice the limit in chars
        String cut = ErrorFrames.sendable(longEmoji);
        assertTrue(cut.endsWith("..."));
        assertEquals(emoji.repeat(ErrorFrames.MAX_MESSAGE_CHARS / 2) + "...", cut, "never half a pair at the cut");
        String shifted = ErrorFrames.sendable("x" + longEmoji);
        assertFalse(shifted.contains("\ufffd"));
        assertEquals(ErrorFrames.MAX_MESSAGE_CHARS - 1 + 3, shifted.length(), "cut before the pair that straddles the limit");
    }

    /**
     * {@code --max-header} limits what the server accepts, not what it answers: with it at its
     * minimum, an answer longer than that (a STAT of a long file name) and an ERROR quoting a long
     * value still arrive. Both used to fail to encode on the loop, and the client waited for ever.
     */
    @Test
    void answersAreNotBoundByTheLimitOnRequests() throws Exception {
        ServerConfig cfg = TestServers.config().frameLimits(ferry.protocol.FrameLimits.DEFAULT.withMaxHeaderBytes(256)).build();
        String name = "n".repeat(255);
        FerryServer server = TestServers.start(cfg, ctx -> {
            ctx.register("LONG", call -> {
                call.reply(Header.reply("LONG", call.id()).put("name", name).put("more", name));
                return null;
            });
            ctx.register("FAIL_LONG", call -> {
                throw OpException.notFound("no such file: " + name);
            });
        });
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port(),
                ferry.client.ClientOptions.defaults().withReadTimeoutMillis(10_000))) {
            assertEquals(name, c.call(Header.op("LONG")).getString("more", null));
            RemoteException e = assertThrows(RemoteException.class, () -> c.call(Header.op("FAIL_LONG")));
            assertEquals("not_found", e.code());
            assertTrue(c.ping() > 0);
            assertEquals(0, server.loopErrors());
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void anErrorWithAnUnsendableMessageStillArrivesAndTheConnectionGoesOn() throws Exception {
        FerryServer server = TestServers.start(TestServers.config().build(), ctx -> {
            ctx.register("HALF_EMOJI", call -> {
                throw OpException.badRequest("value \"\ud83d\" refused");
            });
            ctx.register("HUGE", call -> {
                throw OpException.badRequest("x".repeat(70_000));
            });
        });
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port())) {
            RemoteException e = assertThrows(RemoteException.class, () -> c.call(Header.op("HALF_EMOJI")));
            assertEquals("bad_request", e.code());
            assertEquals("value \"\ufffd\" refused", e.serverMessage());
            e = assertThrows(RemoteException.class, () -> c.call(Header.op("HUGE")));
            assertEquals(ErrorFrames.MAX_MESSAGE_CHARS + 3, e.serverMessage().length());
            assertTrue(c.ping() > 0);
            assertEquals(0, server.loopErrors());
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }
}
