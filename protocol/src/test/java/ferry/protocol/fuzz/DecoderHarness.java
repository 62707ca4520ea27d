package ferry.protocol.fuzz;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Runs one byte stream through a {@link FrameDecoder} and checks every property that must hold
 * for any input, recording coverage features on the way:
 *
 * <ul>
 *   <li>only {@link ProtocolException} may escape {@code decode}; after one the decoder is
 *       terminal and rethrows the same failure;</li>
 *   <li>{@code decode} returns only when its input is used up or the sink paused (so a caller
 *       never spins on a decoder that neither consumes nor pauses);</li>
 *   <li>the {@link FrameSink} contract: header, body chunks that are never empty and never exceed
 *       the declared size, end only after the whole body;</li>
 *   <li>memory: the decoder never holds more than {@code maxHeaderBytes} for a split header, and
 *       never much more than the peer actually sent ({@link #AMPLIFICATION_FLOOR_BYTES} or twice
 *       the bytes of the frame so far), and allocation during decoding is linear in the input.</li>
 * </ul>
 *
 * <p>A stream is decoded twice: whole, and cut at random points into buffers of every kind (heap,
 * heap at an array offset, direct, read-only, little-endian) with a sink that pauses at random and
 * reads chunks fully, partly or not at all. Both must yield the same frames and the same failure.
 */
final class DecoderHarness {
    /** A split header may always hold this much, whatever was received (the scratch's first size). */
    static final int AMPLIFICATION_FLOOR_BYTES = 1024;
    /** Allocation allowed per input byte while decoding (strings, maps, lists, boxed numbers). */
    static final long ALLOCATION_PER_INPUT_BYTE = 64;
    /** Allocation allowed per decoding whatever the input (error messages, the first header). */
    static final long ALLOCATION_FLOOR_BYTES = 256 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Field SCRATCH;

    static {
        try {
            SCRATCH = FrameDecoder.class.getDeclaredField("headerScratch");
            SCRATCH.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a property violation looks like: a category (for minimising) and the details. */
    static final class Violation extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String category;

        Violation(String category, String detail, Throwable cause) {
            super(category + ": " + detail, cause);
            this.category = category;
        }
    }

    /** One frame as the sink saw it. */
    record FrameRec(Header header, long bodyBytes, long crc, boolean ended) {}

    /** The outcome of one decoding. */
    static final class Run {
        final List<FrameRec> frames = new ArrayList<>();
        ProtocolException failure;
        long decodeCalls;
        long allocatedBytes;
        FrameDecoder.State finalState;
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private DecoderHarness() {}

    /** Decodes {@code stream} in one buffer with a sink that never pauses. */
    static Run whole(byte[] stream, FrameLimits limits, Coverage.Trace trace) {
        return run(stream, limits, null, 0, trace);
    }

    /** Decodes {@code stream} cut at points drawn from {@code splitSeed}, pausing with {@code pauseRate}/256. */
    static Run chunked(byte[] stream, FrameLimits limits, long splitSeed, int pauseRate, Coverage.Trace trace) {
        return run(stream, limits, new Random(splitSeed), pauseRate, trace);
    }

    private static Run run(byte[] stream, FrameLimits limits, Random split, int pauseRate, Coverage.Trace trace) {
        long seed = split == null ? 0 : split.nextLong();
        try {
            return attempt(stream, limits, split == null ? null : new Random(seed), pauseRate, trace);
        } catch (Violation v) {
            if (!v.category.equals("allocation")) {
                throw v;
            }
            // The first run of a code path allocates for class loading and call-site linking: judge a second run.
            return attempt(stream, limits, split == null ? null : new Random(seed), pauseRate, new Coverage.Trace());
        }
    }

    private static Run attempt(byte[] stream, FrameLimits limits, Random split, int pauseRate, Coverage.Trace trace) {
        List<ByteBuffer> chunks = split == null ? List.of(ByteBuffer.wrap(stream)) : cut(stream, split, trace);
        Random sinkRandom = new Random(split == null ? 0 : split.nextLong());
        FrameDecoder d = new FrameDecoder(limits);
        ContractSink sink = new ContractSink(pauseRate, sinkRandom);
        Run run = new Run();
        long callLimit = 4L * stream.length + 64;
        long allocStart = THREADS.getCurrentThreadAllocatedBytes();
        try {
            for (ByteBuffer chunk : chunks) {
                if (!feed(d, sink, chunk, limits, run, callLimit, split == null ? null : trace, sinkRandom)) {
                    break;
                }
            }
            // the stream is over: a pause may have left a frame end owed, which an empty buffer delivers
            while (run.failure == null && sink.pausedLastCall) {
                if (!feed(d, sink, EMPTY, limits, run, callLimit, split == null ? null : trace, sinkRandom)) {
                    break;
                }
                if (sink.eventsInCall == 0) {
                    break;
                }
            }
        } finally {
            run.allocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - allocStart;
        }
        if (sink.violation != null) {
            throw new Violation("contract", sink.violation, null);
        }
        long allowed = ALLOCATION_PER_INPUT_BYTE * stream.length + ALLOCATION_FLOOR_BYTES;
        if (run.allocatedBytes > allowed) {
            throw new Violation("allocation", run.allocatedBytes + " bytes allocated decoding " + stream.length
                    + " bytes (allowed " + allowed + ")", null);
        }
        sink.finish(run);
        run.finalState = d.state();
        trace.add("end", d.state(), run.failure == null ? "ok" : run.failure.code());
        return run;
    }

    /** Feeds one buffer until it is used up; false once the decoder failed. */
    private static boolean feed(FrameDecoder d, ContractSink sink, ByteBuffer in, FrameLimits limits, Run run,
                                long callLimit, Coverage.Trace trace, Random rnd) {
        while (true) {
            if (++run.decodeCalls > callLimit) {
                throw new Violation("no-progress", run.decodeCalls + " decode calls for one input", null);
            }
            FrameDecoder.State before = d.state();
            int posBefore = in.position();
            sink.startCall();
            try {
                d.decode(in, sink);
            } catch (ProtocolException e) {
                run.failure = e;
                if (trace != null) { // chunked runs only: there the state before the call says where the error struck
                    trace.add("err", before, e.code() + ":" + Coverage.errorKind(e.getMessage()));
                }
                checkTerminal(d, e);
                return false;
            } catch (Violation v) {
                throw v;
            } catch (Throwable t) {
                throw new Violation("crash", t.getClass().getName() + " escaped decode in state " + before, t);
            }
            sink.consumed += in.position() - posBefore;
            checkRetained(d, limits, sink);
            if (trace != null) {
                trace.add("call", before + ">" + d.state(), sink.pausedLastCall ? "paused" : in.hasRemaining() ? "?" : "done");
            }
            if (!sink.pausedLastCall) {
                if (in.hasRemaining()) {
                    throw new Violation("returned-early", "decode returned in state " + d.state() + " with "
                            + in.remaining() + " bytes left and no pause", null);
                }
                return true;
            }
            if (!in.hasRemaining() && in != EMPTY) {
                return true; // the next buffer (or the final drain) resumes
            }
            if (in == EMPTY) {
                return true;
            }
            if (rnd.nextInt(4) == 0) {
                // resume first with nothing new: must deliver only what is owed, consuming nothing
                sink.startCall();
                try {
                    d.decode(EMPTY, sink);
                } catch (ProtocolException e) {
                    throw new Violation("empty-resume", "an empty buffer raised " + e.getMessage(), e);
                } catch (Throwable t) {
                    throw new Violation("crash", t.getClass().getName() + " escaped decode(empty)", t);
                }
            }
        }
    }

    private static void checkTerminal(FrameDecoder d, ProtocolException e) {
        if (d.state() != FrameDecoder.State.BAD_FRAME || d.failure() != e) {
            throw new Violation("terminal", "after \"" + e.getMessage() + "\" state is " + d.state(), e);
        }
        try {
            d.decode(ByteBuffer.wrap(new byte[] {1, 2, 3}), new ContractSink(0, new Random(0)));
            throw new Violation("terminal", "decode after a failure did not rethrow", e);
        } catch (ProtocolException again) {
            if (again != e) {
                throw new Violation("terminal", "decode after a failure threw a different exception", again);
            }
        }
    }

    /** Bytes the decoder holds for a split header (its private scratch, read by reflection), 0 if none. */
    static int scratchCapacity(FrameDecoder d) {
        try {
            ByteBuffer scratch = (ByteBuffer) SCRATCH.get(d);
            return scratch == null ? 0 : scratch.capacity();
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static void checkRetained(FrameDecoder d, FrameLimits limits, ContractSink sink) {
        int held = scratchCapacity(d);
        if (held == 0) {
            return;
        }
        if (held > limits.maxHeaderBytes()) {
            throw new Violation("retained", "header scratch of " + held + " bytes above maxHeaderBytes "
                    + limits.maxHeaderBytes(), null);
        }
        long received = sink.consumed - sink.consumedAtFrameStart;
        if (held > Math.max(AMPLIFICATION_FLOOR_BYTES, 2 * received)) {
            throw new Violation("amplification", "header scratch of " + held + " bytes held after the peer sent "
                    + received + " bytes of the frame", null);
        }
    }

    /** Cuts a stream into buffers of every kind: tiny pieces often, whole runs sometimes. */
    private static List<ByteBuffer> cut(byte[] stream, Random r, Coverage.Trace trace) {
        List<ByteBuffer> out = new ArrayList<>();
        int minChunk = Math.max(1, stream.length / 4096); // bounds the number of calls for 1 MiB inputs
        int at = 0;
        while (at < stream.length) {
            int n;
            switch (r.nextInt(6)) {
                case 0: case 1: n = 1; break;
                case 2: n = 1 + r.nextInt(8); break;
                case 3: n = 1 + r.nextInt(300); break;
                case 4: n = 4 + r.nextInt(2); break; // lands around length prefixes
                default: n = stream.length - at;
            }
            n = Math.min(stream.length - at, Math.max(n, minChunk));
            int kind = r.nextInt(5);
            ByteBuffer b;
            switch (kind) {
                case 0: {
                    byte[] padded = new byte[n + 7];
                    System.arraycopy(stream, at, padded, 3, n);
                    b = ByteBuffer.wrap(padded, 3, n).slice(); // array offset 3
                    break;
                }
                case 1:
                    b = ByteBuffer.allocateDirect(n).put(stream, at, n).flip();
                    break;
                case 2:
                    b = ByteBuffer.wrap(stream, at, n).slice().asReadOnlyBuffer();
                    break;
                case 3:
                    b = ByteBuffer.wrap(stream, at, n).slice().order(ByteOrder.LITTLE_ENDIAN);
                    break;
                default: {
                    // a window inside a bigger buffer: position and limit not at the edges
                    byte[] big = new byte[n + 10];
                    System.arraycopy(stream, at, big, 5, n);
                    b = ByteBuffer.wrap(big, 5, n);
                }
            }
            out.add(b);
            at += n;
        }
        if (trace != null && out.size() > 1) {
            trace.add("cut", Coverage.bucket(out.size()));
        }
        return out;
    }

    /** A sink that checks the FrameSink contract, records frames, and pauses and reads at random. */
    static final class ContractSink implements FrameSink {
        private final int pauseRate;
        private final Random r;
        final List<FrameRec> frames = new ArrayList<>();
        String violation;
        boolean pausedLastCall;
        int eventsInCall;
        long consumed;
        long consumedAtFrameStart;
        private Header open;
        private long declared;
        private long delivered;
        private CRC32 crc;

        ContractSink(int pauseRate, Random r) {
            this.pauseRate = pauseRate;
            this.r = r;
        }

        void startCall() {
            pausedLastCall = false;
            eventsInCall = 0;
        }

        private boolean answer() {
            eventsInCall++;
            pausedLastCall = pauseRate > 0 && r.nextInt(256) < pauseRate;
            return !pausedLastCall;
        }

        private void violate(String what) {
            if (violation == null) {
                violation = what;
            }
        }

        @Override
        public boolean onHeader(Header header) {
            if (open != null) {
                violate("onHeader while a frame is open");
            }
            if (header == null) {
                violate("null header");
                return answer();
            }
            open = header;
            declared = header.size();
            if (declared < 0) {
                violate("negative size " + declared);
            }
            delivered = 0;
            crc = new CRC32();
            return answer();
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            if (open == null) {
                violate("onBody outside a frame");
                return answer();
            }
            int n = chunk.remaining();
            if (n == 0) {
                violate("empty body chunk");
            }
            delivered += n;
            if (delivered > declared) {
                violate("more body (" + delivered + ") than declared (" + declared + ")");
            }
            switch (r.nextInt(3)) {
                case 0:
                    crc.update(chunk); // reads it all
                    break;
                case 1:
                    crc.update(chunk.duplicate()); // reads none of it
                    break;
                default:
                    crc.update(chunk.duplicate());
                    chunk.position(chunk.position() + r.nextInt(n + 1)); // reads part
            }
            return answer();
        }

        @Override
        public boolean onFrameEnd() {
            if (open == null) {
                violate("onFrameEnd outside a frame");
                return answer();
            }
            if (delivered != declared) {
                violate("onFrameEnd after " + delivered + " of " + declared + " body bytes");
            }
            frames.add(new FrameRec(open, delivered, crc.getValue(), true));
            open = null;
            consumedAtFrameStart = consumed; // approximate: the rest of this call's bytes count as the next frame's
            return answer();
        }

        void finish(Run run) {
            run.frames.addAll(frames);
            if (open != null) {
                run.frames.add(new FrameRec(open, delivered, crc.getValue(), false));
            }
        }
    }

    /** Whole and chunked decodings must agree on frames and failure (preamble messages may quote less). */
    static void assertSame(Run whole, Run chunked) {
        if (!whole.frames.equals(chunked.frames)) {
            throw new Violation("split-mismatch", "frames differ: whole " + summary(whole) + " vs chunked " + summary(chunked), null);
        }
        if ((whole.failure == null) != (chunked.failure == null)) {
            throw new Violation("split-mismatch", "failure differs: whole " + whole.failure + " vs chunked " + chunked.failure, null);
        }
        if (whole.failure != null) {
            if (!whole.failure.code().equals(chunked.failure.code())) {
                throw new Violation("split-mismatch", "codes differ: " + whole.failure + " vs " + chunked.failure, null);
            }
            if (!whole.failure.code().equals(ProtocolException.BAD_PREAMBLE)
                    && !Objects.equals(whole.failure.getMessage(), chunked.failure.getMessage())) {
                throw new Violation("split-mismatch", "messages differ: \"" + whole.failure.getMessage() + "\" vs \""
                        + chunked.failure.getMessage() + "\"", null);
            }
        }
    }

    private static String summary(Run r) {
        StringBuilder sb = new StringBuilder("[");
        for (FrameRec f : r.frames) {
            String h = f.header().toString();
            sb.append(h.length() > 80 ? h.substring(0, 80) + "..." : h).append(" body=").append(f.bodyBytes())
                    .append(f.ended() ? "" : " (open)").append("; ");
        }
        return sb.append("] ").append(r.failure == null ? "" : r.failure.getMessage()).toString();
    }
}
