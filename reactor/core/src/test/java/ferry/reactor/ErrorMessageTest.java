package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.Header;
import org.junit.jupiter.api.Test;

/**
 * An ERROR must reach the client whatever the handler put in its message. Found by the file-ops
 * fuzzer: a refusal quoting a value cut in the middle of an emoji (an unpaired surrogate) made the
 * encoder throw on the loop, and the client lost its connection instead of getting its error; a
 * refusal quoting a value nearly as long as a header would not fit in one. On the in-memory
 * harness: the frames are the point, not the socket.
 */
class ErrorMessageTest {
    @Test
    void messagesAreCutAtCharacterBoundariesAndLoneSurrogatesReplaced() {
        assertEquals("plain", Call.sendable("plain"));
        String emoji = "\ud83d\ude00";
        assertEquals("a" + emoji + "b", Call.sendable("a" + emoji + "b"), "pairs are kept");
        assertEquals("cut \ufffd here", Call.sendable("cut \ud83d here"));
        assertEquals("\ufffd", Call.sendable("\ude00"));
        String longEmoji = emoji.repeat(Call.MAX_ERROR_MESSAGE_CHARS); // twice the limit in chars
        String cut = Call.sendable(longEmoji);
        assertTrue(cut.endsWith("..."));
        assertEquals(emoji.repeat(Call.MAX_ERROR_MESSAGE_CHARS / 2) + "...", cut, "never half a pair at the cut");
        String shifted = Call.sendable("x" + longEmoji);
        assertFalse(shifted.contains("\ufffd"));
        assertEquals(Call.MAX_ERROR_MESSAGE_CHARS - 1 + 3, shifted.length(), "cut before the pair that straddles the limit");
    }

    /**
     * {@code --max-header} limits what the server accepts, not what it answers: with it at its
     * minimum, an answer longer than that (a STAT of a long file name) and an ERROR quoting a long
     * value still arrive. Both used to fail to encode on the loop, and the client waited for ever.
     */
    @Test
    void answersAreNotBoundByTheLimitOnRequests() throws Exception {
        String name = "n".repeat(255);
        try (MemoryServer s = MemoryServer.start(TestServers.config()
                .frameLimits(ferry.protocol.FrameLimits.DEFAULT.withMaxHeaderBytes(256)), ctx -> {
            ctx.register("LONG", call -> {
                call.reply(Header.reply("LONG", call.id()).put("name", name).put("more", name));
                return null;
            });
            ctx.register("FAIL_LONG", call -> {
                throw OpException.notFound("no such file: " + name);
            });
        })) {
            MemoryPeer p = s.connect();
            p.send(Header.op("LONG").put(Header.ID, 1));
            assertEquals(name, p.read().header().getString("more", null));
            p.send(Header.op("FAIL_LONG").put(Header.ID, 2));
            assertEquals("not_found", p.read().header().getString("code", null));
            p.send(Header.op("PING").put(Header.ID, 3));
            assertEquals("PONG", p.read().op());
            assertEquals(0, s.server().loopErrors());
        }
    }

    @Test
    void anErrorWithAnUnsendableMessageStillArrivesAndTheConnectionGoesOn() throws Exception {
        try (MemoryServer s = MemoryServer.start(TestServers.config(), ctx -> {
            ctx.register("HALF_EMOJI", call -> {
                throw OpException.badRequest("value \"\ud83d\" refused");
            });
            ctx.register("HUGE", call -> {
                throw OpException.badRequest("x".repeat(70_000));
            });
        })) {
            MemoryPeer p = s.connect();
            p.send(Header.op("HALF_EMOJI").put(Header.ID, 1));
            RawPeer.Frame e = p.read();
            assertEquals("bad_request", e.header().getString("code", null));
            assertEquals("value \"\ufffd\" refused", e.header().getString("message", null));
            p.send(Header.op("HUGE").put(Header.ID, 2));
            assertEquals(Call.MAX_ERROR_MESSAGE_CHARS + 3, p.read().header().getString("message", "").length());
            p.send(Header.op("PING").put(Header.ID, 3));
            assertEquals("PONG", p.read().op());
            assertEquals(0, s.server().loopErrors());
        }
    }
}
