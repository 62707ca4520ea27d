package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@link Call} mutator belongs to the call's loop: from another thread (here the test's) it
 * throws at once, before changing anything, instead of racing the loop; the call still answers
 * normally from its loop afterwards.
 */
class CallThreadTest {
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path tmp;

    /** Reads {@code what} on the call's loop, where its state is current. */
    private static <T> T onLoop(Call call, java.util.function.Supplier<T> what) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        call.loop().execute(() -> f.complete(what.get()));
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void everyMutatorCalledOffTheLoopThrowsAndChangesNothing() throws Exception {
        CompletableFuture<Call> held = new CompletableFuture<>();
        FerryServer server = new FerryServer(TestServers.config().build());
        server.registerPublic("HOLD", call -> {
            held.complete(call);
            return null; // answered later, from the loop, by the test
        });
        server.start();
        Path file = Files.write(tmp.resolve("f"), new byte[] {1, 2, 3});
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port());
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header hold = Header.op("HOLD").put(Header.ID, c.nextId());
            c.send(hold);
            Call call = held.get(WAIT_SECONDS, TimeUnit.SECONDS);
            Header h = Header.op("X");
            Map<String, Executable> mutators = new LinkedHashMap<>();
            mutators.put("replyHeader", () -> call.replyHeader("X"));
            mutators.put("send", () -> call.send(h));
            mutators.put("sendBody", () -> call.sendBody(ByteBuffer.allocate(1)));
            mutators.put("send with body", () -> call.send(h, ByteBuffer.allocate(1)));
            mutators.put("sendFile", () -> call.sendFile(h, new FileRegion(ch, 0, 1, false)));
            mutators.put("sendFileBody", () -> call.sendFileBody(new FileRegion(ch, 0, 1, false)));
            mutators.put("reply", () -> call.reply(h));
            mutators.put("reply with body", () -> call.reply(h, ByteBuffer.allocate(1)));
            mutators.put("replyFile", () -> call.replyFile(h, new FileRegion(ch, 0, 1, false)));
            mutators.put("fail", () -> call.fail("busy", "x"));
            mutators.put("fail(Throwable)", () -> call.fail(new IllegalStateException("x")));
            mutators.put("end", call::end);
            mutators.put("settle", call::settle);
            mutators.put("onCancel", () -> call.onCancel(() -> { }));
            mutators.put("whenHead", () -> call.whenHead(() -> { }));
            mutators.put("whenDrained", () -> call.whenDrained(() -> { }));
            mutators.put("cancelOnPeerEof", call::cancelOnPeerEof);
            mutators.put("pauseReading", call::pauseReading);
            mutators.put("resumeReading", call::resumeReading);
            mutators.put("closeConnectionAfterReply", call::closeConnectionAfterReply);
            mutators.put("pendingOutputBytes", call::pendingOutputBytes);
            mutators.put("isOutputSaturated", call::isOutputSaturated);
            for (Map.Entry<String, Executable> m : mutators.entrySet()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, m.getValue(), m.getKey());
                assertTrue(e.getMessage().contains("loop thread"), m.getKey() + ": " + e.getMessage());
            }
            assertFalse(onLoop(call, call::isEnded), "nothing changed");

            // From its loop the call answers as usual: nothing the refused calls did is in the answer.
            call.loop().execute(() -> call.reply(call.replyHeader("HELD")));
            Header answer = c.readHeader();
            assertEquals("HELD", answer.op());
            assertEquals(hold.id(), answer.id());
            c.ping(); // the connection still works
            assertTrue(onLoop(call, call::isEnded));
            // Also once there is nothing left to do: a wrong thread is a bug even when harmless today.
            assertThrows(IllegalStateException.class, () -> call.fail("busy", "late"));
            assertThrows(IllegalStateException.class, () -> call.fail(new IllegalStateException("late")));
        } finally {
            server.stop();
        }
    }
}
