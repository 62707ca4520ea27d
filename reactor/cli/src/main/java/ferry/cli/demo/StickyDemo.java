package ferry.cli.demo;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry demo sticky}: shows on this machine, over real loopback TCP sockets, why a
 * stream needs framing — the lesson Ferry grew from.
 *
 * <ol>
 *   <li>Two small sends read by one {@code recv(1024)} come out glued together.</li>
 *   <li>One big send read with {@code recv(1024)} comes out cut in pieces; and a message the
 *       sender writes in two calls arrives in two pieces.</li>
 *   <li>The same messages as Ferry frames (preamble, length, JSON header, body), all written in
 *       one go and the last one split, read with the same 1024-byte reads and fed to
 *       {@link FrameDecoder}: every message comes back whole, one by one.</li>
 * </ol>
 *
 * <p>Deterministic: before each "naive" read the receiver waits (bounded) until the bytes the
 * step is about have arrived in its socket, and the split sender waits for the receiver before
 * sending its second half; so the glue and the cuts show every time, not only under load.
 *
 * <p>Thread safety: one run at a time; a helper thread writes the big messages so a small
 * socket buffer cannot deadlock the demo.
 */
public final class StickyDemo {
    static final int DEFAULT_MESSAGE_BYTES = 100_000;
    static final int DEFAULT_READ_BYTES = 1024;
    /** Longest wait for bytes to arrive on loopback before reading anyway. */
    static final long SETTLE_TIMEOUT_MILLIS = 5_000;
    /** Quoted text is cut to this many characters. */
    static final int QUOTE_CHARS = 40;

    private static final String CMD1 = "ls -l";
    private static final String CMD2 = "whoami";
    private static final String SPLIT_A = "get vid";
    private static final String SPLIT_B = "eo.mp4";

    private final PrintStream out;
    private final int messageBytes;
    private final int readBytes;

    StickyDemo(PrintStream out, int messageBytes, int readBytes) {
        this.out = out;
        this.messageBytes = messageBytes;
        this.readBytes = readBytes;
    }

    void run() throws IOException, InterruptedException {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            out.println("TCP is a stream of bytes, not of messages. Here is what that means, on this machine,");
            out.println("over real sockets on " + listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort()
                    + ". The receiver reads at most " + readBytes + " bytes at a time,");
            out.println("as a simple client does (a socket recv(" + readBytes + ") call).");
            out.println();
            glued(listener);
            cut(listener);
            split(listener);
            framed(listener);
        }
    }

    // ---- 1: glued ------------------------------------------------------------------------------

    private void glued(ServerSocket listener) throws IOException {
        out.println("1. Two sends, one recv: the messages GLUE together");
        try (SocketPair p = SocketPair.open(listener)) {
            p.send(CMD1.getBytes(StandardCharsets.US_ASCII));
            p.send(CMD2.getBytes(StandardCharsets.US_ASCII));
            int total = CMD1.length() + CMD2.length();
            p.awaitAvailable(total);
            byte[] buf = new byte[readBytes];
            int n = p.in.read(buf, 0, readBytes);
            out.println("   sender:    send(" + quote(CMD1) + ")    " + CMD1.length() + " bytes");
            out.println("   sender:    send(" + quote(CMD2) + ")   " + CMD2.length() + " bytes");
            out.println("   receiver:  recv(" + readBytes + ") -> " + n + " bytes: " + quote(buf, 0, n));
            out.println("   Both messages came out of ONE recv, glued: TCP keeps no boundary between sends. A server");
            out.println("   that runs each recv() as a command would now try to run " + quote(buf, 0, n) + ".");
        }
        out.println();
    }

    // ---- 2: cut --------------------------------------------------------------------------------

    private void cut(ServerSocket listener) throws IOException, InterruptedException {
        out.println("2. One send, many recvs: a big message arrives CUT in pieces");
        byte[] message = commandOutput(messageBytes);
        try (SocketPair p = SocketPair.open(listener)) {
            CompletableFuture<Void> sending = p.sendAsync(message);
            p.awaitAvailable(Math.min(readBytes, message.length));
            byte[] buf = new byte[readBytes];
            int first = p.in.read(buf, 0, readBytes);
            out.println("   sender:    send(<" + message.length + " bytes of command output>)   one call");
            out.println("   receiver:  recv(" + readBytes + ") -> " + first + " bytes, ending in the middle of a line: "
                    + quoteTail(buf, first));
            int reads = 0;
            int min = Integer.MAX_VALUE;
            int max = 0;
            long got = first;
            while (got < message.length) {
                int n = p.in.read(buf, 0, readBytes);
                if (n < 0) {
                    break;
                }
                reads++;
                got += n;
                min = Math.min(min, n);
                max = Math.max(max, n);
            }
            SocketPair.join(sending);
            out.println("   receiver:  " + reads + " more recv(" + readBytes + ") calls to collect the other "
                    + (message.length - first) + " bytes" + (reads > 0 ? " (" + min + " to " + max + " bytes each)" : ""));
            out.println("   A client doing one recv(" + readBytes + ") per command shows the first " + first
                    + " bytes of the output, and");
            out.println("   the NEXT command's recv() returns leftovers of this one: output cut at "
                    + readBytes + " bytes.");
        }
        out.println();
    }

    private void split(ServerSocket listener) throws IOException {
        out.println("   Cuts happen on the sending side too: a sender that writes one request in two calls,");
        out.println("   with a pause between them (a slow program, a busy network):");
        try (SocketPair p = SocketPair.open(listener)) {
            byte[] buf = new byte[readBytes];
            p.send(SPLIT_A.getBytes(StandardCharsets.US_ASCII));
            p.awaitAvailable(SPLIT_A.length());
            int n1 = p.in.read(buf, 0, readBytes);
            String first = quote(buf, 0, n1);
            p.send(SPLIT_B.getBytes(StandardCharsets.US_ASCII));
            p.awaitAvailable(SPLIT_B.length());
            int n2 = p.in.read(buf, 0, readBytes);
            out.println("   sender:    send(" + quote(SPLIT_A) + ") ... pause ... send(" + quote(SPLIT_B) + ")");
            out.println("   receiver:  recv(" + readBytes + ") -> " + n1 + " bytes: " + first);
            out.println("   receiver:  recv(" + readBytes + ") -> " + n2 + " bytes: " + quote(buf, 0, n2));
            out.println("   A server treating each recv() as a request looks for a file called \"vid\".");
        }
        out.println();
    }

    // ---- 3: framed -----------------------------------------------------------------------------

    private void framed(ServerSocket listener) throws IOException, InterruptedException {
        out.println("3. The same messages as Ferry frames: each one arrives WHOLE");
        List<byte[]> bodies = List.of(
                CMD1.getBytes(StandardCharsets.US_ASCII),
                CMD2.getBytes(StandardCharsets.US_ASCII),
                commandOutput(messageBytes),
                (SPLIT_A + SPLIT_B).getBytes(StandardCharsets.US_ASCII));
        Wire wire = Wire.encode(bodies);
        explainFrames(wire, bodies.size());
        Collector sink = new Collector();
        try (SocketPair p = SocketPair.open(listener)) {
            CountDownLatch firstPartRead = new CountDownLatch(1);
            CompletableFuture<Void> sending = sendInTwo(p, wire, firstPartRead);
            receiveFrames(p, wire, firstPartRead, sink);
            SocketPair.join(sending);
        }
        boolean allIntact = sink.count == bodies.size();
        for (int i = 0; i < Math.min(sink.bodies.size(), bodies.size()); i++) {
            allIntact &= Arrays.equals(sink.bodies.get(i), bodies.get(i));
        }
        concludeFramed(bodies.size(), sink.count, allIntact);
    }

    /**
     * The framed messages as they go on the wire: the preamble and every frame, cut in two sends
     * inside the last frame's header, the worst place for a naive reader.
     *
     * @param firstHeader the first frame's length prefix and JSON header, to show
     */
    private record Wire(byte[] partA, byte[] partB, byte[] firstHeader) {
        static Wire encode(List<byte[]> bodies) {
            FrameEncoder encoder = new FrameEncoder();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(Preamble.bytes());
            int lastFrameStart = 0;
            byte[] firstHeader = null;
            for (int i = 0; i < bodies.size(); i++) {
                ByteBuffer h = encoder.encode(
                        Header.op("MSG").put(Header.ID, i + 1).put(Header.SIZE, bodies.get(i).length));
                lastFrameStart = wire.size();
                byte[] hb = new byte[h.remaining()];
                h.get(hb);
                wire.writeBytes(hb);
                wire.writeBytes(bodies.get(i));
                if (i == 0) {
                    firstHeader = hb;
                }
            }
            byte[] all = wire.toByteArray();
            int splitAt = lastFrameStart + 10; // inside the last frame's header
            return new Wire(Arrays.copyOfRange(all, 0, splitAt), Arrays.copyOfRange(all, splitAt, all.length),
                    firstHeader);
        }

        int length() {
            return partA.length + partB.length;
        }
    }

    private void explainFrames(Wire wire, int messages) {
        byte[] firstHeader = wire.firstHeader();
        out.println("   A frame is a 4-byte length, a JSON header that says how many body bytes follow, then the body.");
        out.println("   Message 1 on the wire:  " + hex(firstHeader, 4) + "  "
                + new String(firstHeader, 4, firstHeader.length - 4, StandardCharsets.UTF_8) + "  " + CMD1);
        out.println("   The sender writes the 8-byte preamble and all " + messages + " messages in ONE send ("
                + wire.partA().length + " bytes, glued),");
        out.println("   except the last frame's final " + wire.partB().length + " bytes, which follow after a pause. The receiver");
        out.println("   reads with the same recv(" + readBytes + ") and hands every read to Ferry's FrameDecoder:");
    }

    /** Sends the wire's first part, then, once the receiver has read it (bounded wait), the rest. */
    private static CompletableFuture<Void> sendInTwo(SocketPair p, Wire wire, CountDownLatch firstPartRead) {
        return CompletableFuture.runAsync(() -> {
            try {
                p.sendNow(wire.partA());
                if (firstPartRead.await(SETTLE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    p.sendNow(wire.partB());
                } else {
                    p.sendNow(wire.partB()); // the reader is stuck; send anyway rather than hang
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Reads the whole wire with recv(readBytes), feeding each read to a FrameDecoder and saying what it made of it. */
    private void receiveFrames(SocketPair p, Wire wire, CountDownLatch firstPartRead, Collector sink)
            throws IOException {
        FrameDecoder decoder = new FrameDecoder();
        byte[] buf = new byte[readBytes];
        long got = 0;
        int readNo = 0;
        int quietReads = 0;
        int quietMessage = 0;
        while (got < wire.length()) {
            int n = p.in.read(buf, 0, readBytes);
            if (n < 0) {
                break;
            }
            readNo++;
            got += n;
            if (got >= wire.partA().length) {
                firstPartRead.countDown();
            }
            sink.completed.clear();
            try {
                decoder.decode(ByteBuffer.wrap(buf, 0, n), sink);
            } catch (ProtocolException e) {
                throw new IOException("the demo's own frames did not decode: " + e.getMessage(), e);
            }
            boolean waiting = decoder.isInsideHeader();
            if (sink.completed.isEmpty() && !waiting && readNo > 1 && got < wire.length()) {
                quietReads++;
                quietMessage = sink.count + 1;
                continue;
            }
            if (quietReads > 0) {
                out.println("              ... " + quietReads + " more recv(" + readBytes + ") calls, each "
                        + "feeding message " + quietMessage + "'s body to the decoder ...");
                quietReads = 0;
            }
            printRead(readNo, n, waiting, sink);
        }
    }

    /** One receive line: the messages this read completed, or what the decoder is waiting for. */
    private void printRead(int readNo, int n, boolean waiting, Collector sink) {
        String prefix = String.format(Locale.ROOT, "   recv #%-3d %5d bytes ->", readNo, n);
        String blank = " ".repeat(prefix.length());
        boolean firstLine = true;
        for (String event : sink.completed) {
            out.println((firstLine ? prefix : blank) + " " + event);
            firstLine = false;
        }
        if (waiting) {
            out.println((firstLine ? prefix : blank) + " the start of message " + (sink.count + 1)
                    + ": the decoder keeps it and waits for the rest");
            firstLine = false;
        }
        if (firstLine) {
            out.println(prefix + (readNo == 1 ? " the preamble, and the start of message 1" : " body bytes"));
        }
    }

    private void concludeFramed(int sent, int received, boolean allIntact) throws IOException {
        out.println("   " + sent + " messages sent, " + received + " received, "
                + (allIntact ? "every one intact and in order" : "SOME DAMAGED") + ", whatever the reads looked like.");
        out.println();
        out.println("The fix is to say where each message ends. A simple fix sends a fixed-size length first");
        out.println("and then reads exactly that many bytes; Ferry frames carry a length");
        out.println("and a JSON header (op, id, body size as a 64-bit number), so bodies of any size stream through,");
        out.println("and replies can be matched to requests. Try: ferry demo sticky --size 1m --read 4096");
        if (!allIntact) {
            throw new IOException("framed messages did not come back intact");
        }
    }

    /** Collects complete frames: their bodies, and one line per completed message. */
    private final class Collector implements FrameSink {
        final List<String> completed = new ArrayList<>();
        final List<byte[]> bodies = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Header header;
        int count;

        @Override
        public boolean onHeader(Header h) {
            header = h;
            body = new ByteArrayOutputStream();
            return true;
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            body.writeBytes(b);
            return true;
        }

        @Override
        public boolean onFrameEnd() {
            count++;
            byte[] b = body.toByteArray();
            bodies.add(b);
            String what = b.length <= QUOTE_CHARS ? quote(b, 0, b.length) : "<command output>";
            completed.add("message " + header.id() + " complete: " + b.length + " bytes " + what + ", intact");
            return true;
        }
    }

    // ---- text ----------------------------------------------------------------------------------

    /** Deterministic text that looks like a directory listing, exactly {@code n} bytes. */
    static byte[] commandOutput(int n) {
        StringBuilder sb = new StringBuilder(n + 64);
        for (int i = 1; sb.length() < n; i++) {
            sb.append(String.format(Locale.ROOT, "-rw-r--r-- 1 ferry ferry %8d Nov 25 07:51 file-%05d.txt%n",
                    (i * 7919L) % 10_000_000, i));
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), n);
    }

    private static String quote(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return quote(b, 0, b.length);
    }

    /** Bytes as a quoted string, escaping what is not printable ASCII; long text is shortened. */
    static String quote(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder("\"");
        int end = Math.min(to, from + QUOTE_CHARS);
        for (int i = from; i < end; i++) {
            int c = b[i] & 0xFF;
            if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append((char) c);
            } else {
                sb.append(String.format(Locale.ROOT, "\\x%02x", c));
            }
        }
        sb.append('"');
        if (end < to) {
            sb.append("...");
        }
        return sb.toString();
    }

    /** The last line fragment of the first {@code n} bytes, quoted: where the cut fell. */
    private static String quoteTail(byte[] b, int n) {
        int start = n;
        while (start > 0 && b[start - 1] != '\n' && n - start < QUOTE_CHARS - 3) {
            start--;
        }
        return "\"..." + quote(b, start, n).substring(1);
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
