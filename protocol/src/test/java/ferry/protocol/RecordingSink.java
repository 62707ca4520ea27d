package ferry.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A FrameSink that records frames and checks the FrameSink contract as it goes: onHeader only
 * between frames, onBody and onFrameEnd only inside one, no empty chunks, never more body than
 * the header declared, exactly the declared body before onFrameEnd. It can pause on chosen events.
 */
final class RecordingSink implements FrameSink {
    /** One decoded frame; the body is kept as ISO-8859-1 text so records compare by value. */
    record Frame(Header header, String body, boolean ended) {
        static Frame of(Header header, byte[] body) {
            return new Frame(header, new String(body, StandardCharsets.ISO_8859_1), true);
        }
    }

    enum Event { HEADER, BODY, END }

    interface PausePolicy {
        boolean pauseAfter(Event e);
    }

    static final PausePolicy NEVER = e -> false;
    static final PausePolicy ALWAYS = e -> true;

    static PausePolicy on(Event which) {
        return e -> e == which;
    }

    static PausePolicy random(long seed, double probability) {
        Random r = new Random(seed);
        return e -> r.nextDouble() < probability;
    }

    private final PausePolicy pause;
    private final boolean copyBodies;
    private final List<Header> headers = new ArrayList<>();
    private final List<ByteArrayOutputStream> bodies = new ArrayList<>();
    private final List<Boolean> ended = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    private ByteArrayOutputStream current;
    private long currentSize;
    private long currentBodyBytes;
    long frameEnds;
    long bodyChunks;
    long bodyBytes;
    /** Whether the last event returned false (the driver then calls decode again). */
    boolean paused;

    RecordingSink() {
        this(NEVER);
    }

    RecordingSink(PausePolicy pause) {
        this(pause, true);
    }

    RecordingSink(PausePolicy pause, boolean copyBodies) {
        this.pause = pause;
        this.copyBodies = copyBodies;
    }

    private boolean answer(Event e) {
        events.add(e);
        paused = pause.pauseAfter(e);
        return !paused;
    }

    @Override
    public boolean onHeader(Header header) {
        assertNotNull(header);
        assertNull(current, "onHeader before the previous frame ended");
        current = new ByteArrayOutputStream();
        currentSize = header.size();
        currentBodyBytes = 0;
        headers.add(header);
        bodies.add(current);
        ended.add(false);
        return answer(Event.HEADER);
    }

    @Override
    public boolean onBody(ByteBuffer chunk) {
        assertNotNull(current, "onBody outside a frame");
        assertTrue(chunk.hasRemaining(), "empty body chunk");
        int n = chunk.remaining();
        currentBodyBytes += n;
        assertTrue(currentBodyBytes <= currentSize, "more body than the header declared");
        bodyChunks++;
        bodyBytes += n;
        if (copyBodies) {
            byte[] b = new byte[n];
            chunk.get(b);
            current.writeBytes(b);
        }
        return answer(Event.BODY);
    }

    @Override
    public boolean onFrameEnd() {
        assertNotNull(current, "onFrameEnd outside a frame");
        assertEquals(currentSize, currentBodyBytes, "onFrameEnd before the whole body");
        current = null;
        ended.set(ended.size() - 1, true);
        frameEnds++;
        return answer(Event.END);
    }

    List<Frame> frames() {
        List<Frame> out = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            out.add(new Frame(headers.get(i),
                    new String(bodies.get(i).toByteArray(), StandardCharsets.ISO_8859_1), ended.get(i)));
        }
        return out;
    }

    List<Header> headers() {
        return headers;
    }
}
