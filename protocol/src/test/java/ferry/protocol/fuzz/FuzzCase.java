package ferry.protocol.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One fuzz input, kept in structured form so mutations can aim at one part (a header's JSON, a
 * length prefix, a body, the preamble) and keep the rest valid, plus the knobs of its execution
 * (limits, split points, pauses). {@link #encode()} gives the bytes on the wire.
 *
 * <p>A case whose structure was destroyed by a raw byte mutation is a single {@link Seg#raw} seg.
 */
final class FuzzCase {
    /** One part of the stream. */
    static final class Seg {
        /** Bytes sent as they are (no length prefix added), or null for a framed seg. */
        byte[] raw;
        /** The header's JSON text (framed seg). */
        byte[] json;
        /** The u32 length written before the JSON; -1 means the JSON's real length. */
        long lengthOverride = -1;
        /** Body bytes that follow the header (may disagree with the header's "size" after mutation). */
        byte[] body = new byte[0];

        static Seg framed(byte[] json, byte[] body) {
            Seg s = new Seg();
            s.json = json;
            s.body = body;
            return s;
        }

        static Seg raw(byte[] bytes) {
            Seg s = new Seg();
            s.raw = bytes;
            return s;
        }

        Seg copy() {
            Seg s = new Seg();
            s.raw = raw == null ? null : raw.clone();
            s.json = json == null ? null : json.clone();
            s.lengthOverride = lengthOverride;
            s.body = body.clone();
            return s;
        }

        int wireLength() {
            return raw != null ? raw.length : 4 + json.length + body.length;
        }
    }

    /** Bytes before the first frame: usually the valid preamble, sometimes a foreign one or none. */
    byte[] preamble = new byte[0];
    final List<Seg> segs = new ArrayList<>();
    /** Bytes cut from the end of the encoded stream (a peer that stops mid-frame). */
    int cutTail;

    // ---- execution knobs (mutated like the bytes) -------------------------------------------------
    /** Index into {@link Limits#VARIANTS}. */
    int limits;
    /** Seed of the split points and buffer kinds of the chunked run. */
    long splitSeed;
    /** Chance that the sink pauses after an event, in 1/256ths. */
    int pauseRate;

    // ---- set by the generator, cleared by every mutation ----------------------------------------
    /** The generator's expectation when the case is pristine (unmutated and within its limits); else null. */
    List<Expected> expected;

    /** What a pristine case must decode to: the header's model and its body. */
    record Expected(java.util.Map<String, Object> header, byte[] body) {}

    FuzzCase copy() {
        FuzzCase c = new FuzzCase();
        c.preamble = preamble.clone();
        for (Seg s : segs) {
            c.segs.add(s.copy());
        }
        c.cutTail = cutTail;
        c.limits = limits;
        c.splitSeed = splitSeed;
        c.pauseRate = pauseRate;
        c.expected = expected; // immutable; the mutator clears it when it changes anything
        return c;
    }

    int wireLength() {
        int n = preamble.length;
        for (Seg s : segs) {
            n += s.wireLength();
        }
        return Math.max(0, n - cutTail);
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(wireLength() + 16);
        out.writeBytes(preamble);
        for (Seg s : segs) {
            if (s.raw != null) {
                out.writeBytes(s.raw);
                continue;
            }
            long len = s.lengthOverride >= 0 ? s.lengthOverride : s.json.length;
            out.write((int) (len >>> 24));
            out.write((int) (len >>> 16));
            out.write((int) (len >>> 8));
            out.write((int) len);
            out.writeBytes(s.json);
            out.writeBytes(s.body);
        }
        byte[] all = out.toByteArray();
        if (cutTail <= 0) {
            return all;
        }
        return java.util.Arrays.copyOf(all, Math.max(0, all.length - cutTail));
    }

    /** Replaces the structure by its bytes, for mutations that ignore framing. */
    void flatten() {
        byte[] all = encode();
        preamble = new byte[0];
        segs.clear();
        segs.add(Seg.raw(all));
        cutTail = 0;
    }

    /** The JSON texts of the framed segs (what the JSON harness parses too). */
    List<byte[]> jsonTexts() {
        List<byte[]> out = new ArrayList<>();
        for (Seg s : segs) {
            if (s.json != null) {
                out.add(s.json);
            }
        }
        return out;
    }
}
