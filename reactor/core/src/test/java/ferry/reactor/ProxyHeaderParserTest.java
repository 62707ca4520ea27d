package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.Preamble;
import ferry.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The PROXY header parser on its own: the spec's examples, every way to be wrong, and partial input. */
class ProxyHeaderParserTest {

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header: command (0 LOCAL, 1 PROXY), family/protocol byte, the address block and TLVs. */
    static byte[] v2(int command, int famProto, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ProxyHeaderParser.V2_SIGNATURE);
        out.write(0x20 | command);
        out.write(famProto);
        out.write(payload.length >> 8);
        out.write(payload.length & 0xFF);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A v2 PROXY header over TCP for {@code src} to {@code dst}, with {@code tlvBytes} of TLV after the addresses. */
    static byte[] v2Tcp(InetSocketAddress src, InetSocketAddress dst, int tlvBytes) {
        byte[] s = src.getAddress().getAddress();
        byte[] d = dst.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(2 * s.length + 4 + tlvBytes);
        b.put(s).put(d).putShort((short) src.getPort()).putShort((short) dst.getPort());
        if (tlvBytes >= 3) { // one NOOP TLV (type 0x04) filling the rest
            b.put((byte) 0x04).putShort((short) (tlvBytes - 3));
        }
        return v2(1, (s.length == 4 ? 0x10 : 0x20) | 0x01, b.array());
    }

    private static ProxyHeader parse(byte[] bytes) throws ProtocolException {
        return ProxyHeaderParser.parse(ByteBuffer.wrap(bytes));
    }

    private static String error(byte[] bytes) {
        return assertThrows(ProtocolException.class, () -> parse(bytes)).getMessage();
    }

    private static InetSocketAddress at(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void v1Tcp4NamesTheClientAndLeavesWhatFollowsUnread() throws Exception {
        byte[] header = ascii("PROXY TCP4 192.0.2.10 198.51.100.1 56324 7373\r\n");
        ByteBuffer in = ByteBuffer.allocate(header.length + 8).put(header).put(Preamble.bytes()).flip();
        ProxyHeader h = ProxyHeaderParser.parse(in);
        assertEquals(1, h.version());
        assertEquals(at("192.0.2.10", 56324), h.source());
        assertEquals(at("198.51.100.1", 7373), h.destination());
        assertEquals(header.length, h.length());
        assertEquals(header.length, in.position(), "positioned at the client's preamble");
    }

    @Test
    void v1Tcp6AndUnknown() throws Exception {
        ProxyHeader h = parse(ascii("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n"));
        assertEquals(at("2001:db8::1", 1), h.source());
        assertEquals(at("2001:db8::2", 65535), h.destination());
        assertFalse(parse(ascii("PROXY UNKNOWN\r\n")).hasSource());
        assertFalse(parse(ascii("PROXY UNKNOWN ffff:f...f:ffff 1.2.3.4 0 0\r\n")).hasSource(), "the rest is ignored");
        String longest = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        assertEquals(ProxyHeaderParser.V1_MAX_BYTES - 3, longest.length(), "the spec's worst case fits");
        assertTrue(parse(ascii(longest)).hasSource());
    }

    @Test
    void v1NeedsMoreUntilTheCrlfAndFailsAtTheFirstWrongByte() throws Exception {
        byte[] whole = ascii("PROXY TCP4 192.0.2.10 198.51.100.1 56324 7373\r\n");
        for (int n = 0; n < whole.length; n++) {
            ByteBuffer in = ByteBuffer.wrap(whole, 0, n);
            assertNull(ProxyHeaderParser.parse(in), "a prefix of " + n + " bytes needs more");
            assertEquals(0, in.position(), "need-more consumes nothing");
        }
        assertTrue(error(ascii("PROXX")).contains("does not start with \"PROXY \""));
        assertTrue(error(ascii("PROXY TCP4 1.2.3.4\rX")).contains("CR not followed by LF"));
        assertTrue(error(ascii("PROXY TCP4 1.2.\u0000")).contains("printable ASCII"));
        assertTrue(error(ascii("PROXY " + "A".repeat(101))).contains("no CRLF within 107 bytes"));
    }

    @Test
    void v1RefusesMalformedFields() {
        String[] bad = {
            "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", // extra field
            "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", // missing port
            "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", // double space
            "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
            "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n",
            "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
            "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",
            "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", // leading zero: octal to some parsers
            "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", // never a lookup
            "PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n", // family mismatch
            "PROXY TCP6 1.2.3.4 2001:db8::1 1 2\r\n",
            "PROXY TCP6 2001:db8::g 2001:db8::1 1 2\r\n",
            "PROXY TCP6 fe80::1%eth0 2001:db8::1 1 2\r\n", // zones are not accepted
            "PROXY TCP6 .:: 2001:db8::1 1 2\r\n",
            "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",
            "PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n",
            "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
            "PROXY\r\n",
        };
        for (String b : bad) {
            String m = error(ascii(b));
            assertTrue(m.startsWith("PROXY v1 header: "), b + " -> " + m);
        }
    }

    @Test
    void v2ProxyOverInetAndInet6WithTlvsSkipped() throws Exception {
        byte[] h4 = v2Tcp(at("203.0.113.7", 40000), at("10.0.0.1", 7373), 0);
        ByteBuffer in = ByteBuffer.allocate(h4.length + 3).put(h4).put(new byte[] {'F', 'E', 'R'}).flip();
        ProxyHeader h = ProxyHeaderParser.parse(in);
        assertEquals(2, h.version());
        assertEquals(at("203.0.113.7", 40000), h.source());
        assertEquals(at("10.0.0.1", 7373), h.destination());
        assertEquals(16 + 12, in.position());

        byte[] h6 = v2Tcp(at("2001:db8::7", 1234), at("2001:db8::1", 7373), 100);
        ProxyHeader six = parse(h6);
        assertEquals(at("2001:db8::7", 1234), six.source());
        assertEquals(16 + 36 + 100, six.length(), "TLVs are skipped");
    }

    @Test
    void v2LocalAndUnspecKeepTheProxysAddress() throws Exception {
        assertFalse(parse(v2(0, 0x00, new byte[0])).hasSource(), "LOCAL: a health check");
        // LOCAL with addresses: they are to be ignored
        assertFalse(parse(v2(0, 0x11, new byte[12])).hasSource());
        assertFalse(parse(v2(1, 0x00, new byte[0])).hasSource(), "PROXY with UNSPEC: unknown client");
    }

    @Test
    void v2BoundsAndRefusals() throws Exception {
        assertEquals(ProxyHeaderParser.MAX_HEADER_BYTES, parse(v2(1, 0x11, new byte[ProxyHeaderParser.V2_MAX_PAYLOAD_BYTES])).length(),
                "the cap itself is accepted");
        byte[] over = v2(1, 0x11, new byte[ProxyHeaderParser.V2_MAX_PAYLOAD_BYTES + 1]);
        String m = ProxyHeaderParserTest.error(java.util.Arrays.copyOf(over, 16));
        assertTrue(m.contains("537 bytes, over the 536 accepted"), "refused from the fixed part alone: " + m);
        assertTrue(error(v2(1, 0x11, new byte[11])).contains("AF_INET needs 12 address bytes"));
        assertTrue(error(v2(1, 0x21, new byte[35])).contains("AF_INET6 needs 36"));
        assertTrue(error(v2(1, 0x31, new byte[216])).contains("AF_UNIX"));
        assertTrue(error(v2(1, 0x12, new byte[12])).contains("DGRAM"));
        assertTrue(error(v2(1, 0x41, new byte[12])).contains("unknown address family 4"));
        assertTrue(error(v2(2, 0x11, new byte[12])).contains("unknown command 2"));
        byte[] v3 = v2(1, 0x11, new byte[12]);
        v3[12] = 0x31;
        assertTrue(error(java.util.Arrays.copyOf(v3, 13)).contains("version 3"), "refused as soon as the byte arrives");
        byte[] badSig = v2(1, 0x11, new byte[12]);
        badSig[7] = 'X';
        assertTrue(error(badSig).contains("not the v2 signature"));
    }

    @Test
    void v2NeedsMoreUntilTheWholeBlockHasCome() throws Exception {
        byte[] whole = v2Tcp(at("203.0.113.7", 40000), at("10.0.0.1", 7373), 20);
        for (int n = 0; n < whole.length; n++) {
            assertNull(ProxyHeaderParser.parse(ByteBuffer.wrap(whole, 0, n)), "a prefix of " + n + " bytes needs more");
        }
        assertNotNull(parse(whole));
    }

    @Test
    void aClientSpeakingFerryDirectlyIsToldTheProxySendsNoHeader() {
        String m = error(Preamble.bytes());
        assertTrue(m.contains("expected a PROXY protocol header"), m);
        assertTrue(m.contains("send-proxy"), m);
        assertTrue(error(ascii("GET / HTTP/1.1\r\n")).contains("\"GET / HTTP/1.1\\x0d\\x0a\""));
    }
}
