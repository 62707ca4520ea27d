package ferry.reactor;

import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Parses the PROXY protocol header a load balancer sends before the client's own bytes (HAProxy's
 * {@code proxy-protocol.txt}, versions 1 and 2; which one is told by the first byte). Pure: no I/O,
 * no name lookups, no state, so it can be fuzzed and called on the event loop.
 *
 * <p>Accepted:
 * <ul>
 *   <li>v1: {@code PROXY TCP4 src dst sport dport\r\n}, {@code PROXY TCP6 ...} and
 *       {@code PROXY UNKNOWN ...\r\n}, at most {@value #V1_MAX_BYTES} bytes with the CRLF.
 *       Addresses are strict literals (IPv4 dotted quads without leading zeros; IPv6 in hex and
 *       colons, no zone), ports decimal 0-65535 without leading zeros, single spaces.
 *   <li>v2: the 12-byte signature, version 2, command {@code LOCAL} or {@code PROXY}, family
 *       {@code AF_INET}, {@code AF_INET6} or {@code UNSPEC} over {@code STREAM} (or {@code UNSPEC}),
 *       TLVs skipped. The address block plus TLVs may be at most {@value #V2_MAX_PAYLOAD_BYTES}
 *       bytes (the spec allows 65,535; no proxy sends near that without TLVs Ferry ignores).
 * </ul>
 * {@code LOCAL}, {@code UNSPEC} and {@code UNKNOWN} name no client: the connection is the proxy's
 * own (a health check) and keeps the proxy's address. {@code AF_UNIX} and {@code DGRAM} are
 * refused: Ferry serves TCP clients only.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class ProxyHeaderParser {
    /** Longest v1 header, "PROXY TCP6 " + two full IPv6 addresses + two ports + CRLF (the spec's 107). */
    public static final int V1_MAX_BYTES = 107;
    /** The v2 signature, version/command, family/protocol and length bytes. */
    public static final int V2_FIXED_BYTES = 16;
    /**
     * Largest v2 address block plus TLVs accepted. 536 covers AF_INET6 (36 bytes) and 500 bytes of
     * TLVs (AWS's VPC endpoint id, Azure's link id, HAProxy's ALPN, authority, unique id, SSL info
     * with a short certificate CN): what load balancers send in practice. A larger one is refused.
     */
    public static final int V2_MAX_PAYLOAD_BYTES = 536;
    /** Most bytes a header accepted here takes: what a reader must be able to hold. */
    public static final int MAX_HEADER_BYTES = V2_FIXED_BYTES + V2_MAX_PAYLOAD_BYTES;

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final int V2_VERSION = 2;
    private static final int CMD_LOCAL = 0;
    private static final int CMD_PROXY = 1;
    private static final int FAM_UNSPEC = 0;
    private static final int FAM_INET = 1;
    private static final int FAM_INET6 = 2;
    private static final int FAM_UNIX = 3;
    private static final int PROTO_UNSPEC = 0;
    private static final int PROTO_STREAM = 1;
    private static final int INET_ADDRESSES_BYTES = 4 + 4 + 2 + 2;
    private static final int INET6_ADDRESSES_BYTES = 16 + 16 + 2 + 2;
    /** Longest address literal: an IPv6 with an embedded IPv4 ("ffff:...:255.255.255.255"). */
    private static final int MAX_ADDRESS_CHARS = 45;
    /** How many of a wrong header's bytes an error message quotes. */
    private static final int QUOTED_BYTES = 24;

    private ProxyHeaderParser() {}

    /**
     * Parses the header at {@code in}'s position.
     *
     * @return the header, with {@code in}'s position moved past it; or null when the bytes so far
     *         are a valid beginning and more are needed ({@code in} untouched)
     * @throws ProtocolException ({@code bad_preamble}) at the first byte that cannot begin or
     *         continue a header we accept; {@code in}'s position is then unspecified
     */
    public static ProxyHeader parse(ByteBuffer in) throws ProtocolException {
        if (!in.hasRemaining()) {
            return null;
        }
        byte first = in.get(in.position());
        if (first == V1_PREFIX[0]) {
            return parseV1(in);
        }
        if (first == V2_SIGNATURE[0]) {
            return parseV2(in);
        }
        throw new ProtocolException(ProtocolException.BAD_PREAMBLE, "expected a PROXY protocol header from the "
                + "trusted proxy, got " + describe(in) + (startsLikePreamble(in)
                        ? ": the proxy does not send one (HAProxy: 'send-proxy' or 'send-proxy-v2' on the server line)"
                        : ""));
    }

    // ---- v1 ------------------------------------------------------------------------------------

    private static ProxyHeader parseV1(ByteBuffer in) throws ProtocolException {
        int start = in.position();
        int available = Math.min(in.remaining(), V1_MAX_BYTES);
        int end = -1; // index of the CR, relative to start
        for (int i = 0; i < available; i++) {
            int b = in.get(start + i) & 0xFF;
            if (i < V1_PREFIX.length) {
                if (b != V1_PREFIX[i]) {
                    throw v1Error("does not start with \"PROXY \" (got " + describe(in) + ")");
                }
            } else if (b == '\r') {
                if (i + 1 < available && in.get(start + i + 1) != '\n') {
                    throw v1Error("CR not followed by LF");
                }
                end = i;
                break;
            } else if (b < 0x20 || b > 0x7E) {
                throw v1Error(String.format("byte 0x%02x at offset %d: only printable ASCII is allowed", b, i));
            }
        }
        if (end < 0 || end + 2 > in.remaining()) {
            if (available >= V1_MAX_BYTES) {
                throw v1Error("no CRLF within " + V1_MAX_BYTES + " bytes");
            }
            return null; // a valid beginning; the line goes on
        }
        String line = new String(bytes(in, start + V1_PREFIX.length, end - V1_PREFIX.length), StandardCharsets.US_ASCII);
        int length = end + 2;
        ProxyHeader h = v1Line(line, length);
        in.position(start + length);
        return h;
    }

    /** The part after "PROXY " and before the CRLF. */
    private static ProxyHeader v1Line(String line, int length) throws ProtocolException {
        if (line.equals("UNKNOWN") || line.startsWith("UNKNOWN ")) {
            return new ProxyHeader(1, null, null, length); // the rest is to be ignored (spec 2.1)
        }
        String[] f = line.split(" ", -1);
        if (f.length != 5) {
            throw v1Error("expected \"TCP4|TCP6 SRC DST SPORT DPORT\" or \"UNKNOWN\" after \"PROXY \", got \""
                    + line + "\"");
        }
        boolean v6;
        if (f[0].equals("TCP4")) {
            v6 = false;
        } else if (f[0].equals("TCP6")) {
            v6 = true;
        } else {
            throw v1Error("unknown protocol \"" + f[0] + "\" (TCP4, TCP6 or UNKNOWN)");
        }
        InetAddress src = v6 ? ipv6(f[1]) : ipv4(f[1]);
        InetAddress dst = v6 ? ipv6(f[2]) : ipv4(f[2]);
        return new ProxyHeader(1, new InetSocketAddress(src, port(f[3])), new InetSocketAddress(dst, port(f[4])), length);
    }

    private static InetAddress ipv4(String s) throws ProtocolException {
        byte[] addr = new byte[4];
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw v1Error("bad IPv4 address \"" + s + "\"");
        }
        for (int i = 0; i < 4; i++) {
            int v = decimal(parts[i], 3, "IPv4 address \"" + s + "\"");
            if (v > 255) {
                throw v1Error("bad IPv4 address \"" + s + "\"");
            }
            addr[i] = (byte) v;
        }
        return byAddress(addr);
    }

    private static InetAddress ipv6(String s) throws ProtocolException {
        if (s.isEmpty() || s.length() > MAX_ADDRESS_CHARS || s.indexOf(':') < 0 || s.charAt(0) == '.') {
            throw v1Error("bad IPv6 address \"" + s + "\"");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                throw v1Error("bad IPv6 address \"" + s + "\"");
            }
        }
        try {
            // Hex digits, colons and dots only, starting with a digit or a colon and holding a colon:
            // getByName takes that for a literal and parses it, or refuses it, without asking DNS.
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw v1Error("bad IPv6 address \"" + s + "\"");
        }
    }

    private static int port(String s) throws ProtocolException {
        int v = decimal(s, 5, "port \"" + s + "\"");
        if (v > 65535) {
            throw v1Error("port " + v + " is over 65535");
        }
        return v;
    }

    /** A decimal of 1 to {@code maxDigits} digits without a leading zero. */
    private static int decimal(String s, int maxDigits, String what) throws ProtocolException {
        if (s.isEmpty() || s.length() > maxDigits || (s.length() > 1 && s.charAt(0) == '0')) {
            throw v1Error("bad " + what);
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw v1Error("bad " + what);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static ProtocolException v1Error(String why) {
        return new ProtocolException(ProtocolException.BAD_PREAMBLE, "PROXY v1 header: " + why);
    }

    // ---- v2 ------------------------------------------------------------------------------------

    private static ProxyHeader parseV2(ByteBuffer in) throws ProtocolException {
        int start = in.position();
        int n = Math.min(in.remaining(), V2_SIGNATURE.length);
        for (int i = 0; i < n; i++) {
            if (in.get(start + i) != V2_SIGNATURE[i]) {
                throw new ProtocolException(ProtocolException.BAD_PREAMBLE,
                        "expected a PROXY protocol header, got " + describe(in) + " (not the v2 signature)");
            }
        }
        if (in.remaining() < V2_FIXED_BYTES) {
            // Check what has arrived of the fixed part now: a wrong version should not wait for more.
            if (in.remaining() > 12) {
                checkVersionAndCommand(in.get(start + 12) & 0xFF);
            }
            return null;
        }
        int verCmd = in.get(start + 12) & 0xFF;
        checkVersionAndCommand(verCmd);
        int famProto = in.get(start + 13) & 0xFF;
        int len = in.getShort(start + 14) & 0xFFFF;
        if (len > V2_MAX_PAYLOAD_BYTES) {
            throw v2Error("address block and TLVs of " + len + " bytes, over the " + V2_MAX_PAYLOAD_BYTES + " accepted");
        }
        if (in.remaining() < V2_FIXED_BYTES + len) {
            return null;
        }
        int length = V2_FIXED_BYTES + len;
        int family = famProto >> 4;
        int proto = famProto & 0x0F;
        int body = start + V2_FIXED_BYTES;
        ProxyHeader h;
        if ((verCmd & 0x0F) == CMD_LOCAL) {
            // The proxy's own connection (a health check): family and addresses are to be ignored.
            h = new ProxyHeader(2, null, null, length);
        } else if (family == FAM_UNSPEC) {
            h = new ProxyHeader(2, null, null, length); // "unknown": keep the connection's own endpoints
        } else if (family == FAM_UNIX || family > FAM_UNIX) {
            throw v2Error(family == FAM_UNIX ? "AF_UNIX clients are not supported (Ferry serves TCP)"
                    : "unknown address family " + family);
        } else if (proto != PROTO_STREAM && proto != PROTO_UNSPEC) {
            throw v2Error(proto == 2 ? "DGRAM is not supported (Ferry serves TCP)" : "unknown transport protocol " + proto);
        } else {
            boolean v6 = family == FAM_INET6;
            int addrLen = v6 ? 16 : 4;
            int need = v6 ? INET6_ADDRESSES_BYTES : INET_ADDRESSES_BYTES;
            if (len < need) {
                throw v2Error((v6 ? "AF_INET6" : "AF_INET") + " needs " + need + " address bytes, the header has " + len);
            }
            InetAddress src = byAddress(bytes(in, body, addrLen));
            InetAddress dst = byAddress(bytes(in, body + addrLen, addrLen));
            int sport = in.getShort(body + 2 * addrLen) & 0xFFFF;
            int dport = in.getShort(body + 2 * addrLen + 2) & 0xFFFF;
            h = new ProxyHeader(2, new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport), length);
        }
        in.position(start + length); // TLVs, if any, are skipped: Ferry uses none of them
        return h;
    }

    private static void checkVersionAndCommand(int verCmd) throws ProtocolException {
        if (verCmd >> 4 != V2_VERSION) {
            throw v2Error("version " + (verCmd >> 4) + " (only 2 exists)");
        }
        int cmd = verCmd & 0x0F;
        if (cmd != CMD_LOCAL && cmd != CMD_PROXY) {
            throw v2Error("unknown command " + cmd + " (LOCAL is 0, PROXY 1)");
        }
    }

    private static ProtocolException v2Error(String why) {
        return new ProtocolException(ProtocolException.BAD_PREAMBLE, "PROXY v2 header: " + why);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static InetAddress byAddress(byte[] addr) {
        try {
            return InetAddress.getByAddress(addr); // raw bytes: never a lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static byte[] bytes(ByteBuffer in, int at, int n) {
        byte[] b = new byte[n];
        in.get(at, b);
        return b;
    }

    private static boolean startsLikePreamble(ByteBuffer in) {
        byte[] p = Preamble.bytes();
        int n = Math.min(in.remaining(), 5);
        for (int i = 0; i < n; i++) {
            if (in.get(in.position() + i) != p[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first bytes, printable ones as text and the rest as hex escapes. */
    private static String describe(ByteBuffer in) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(in.remaining(), QUOTED_BYTES);
        for (int i = 0; i < n; i++) {
            int b = in.get(in.position() + i) & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.append(in.remaining() > n ? "...\"" : "\"").toString();
    }
}
