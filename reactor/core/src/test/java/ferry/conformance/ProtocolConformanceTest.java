package ferry.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.protocol.Header;
import ferry.reactor.FerryServer;
import ferry.reactor.RawPeer;
import ferry.reactor.RawPeer.Frame;
import ferry.reactor.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md sections 1 to 5, sentence by sentence, against a real server over loopback with
 * frames written by hand (see {@link RawPeer}). Each test names the section it pins; when a test
 * here fails, either the server or the spec changed, and the other must follow.
 *
 * <p>The server is the core alone (HELLO, PING, BYE) with its defaults: no users, so every
 * connection is {@code anonymous}.
 */
class ProtocolConformanceTest {
    private FerryServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FerryServer(ServerConfig.builder().port(0).build());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(2, TimeUnit.SECONDS);
    }

    private RawPeer connect() throws IOException {
        return RawPeer.connect(server.port());
    }

    /** Sends one header that section 2 says must be refused, and checks bad_frame without id, then close. */
    private void assertBadFrame(byte[] header, String messagePart) throws IOException {
        try (RawPeer c = connect()) {
            c.sendRaw(RawPeer.frame(header, new byte[0]));
            Frame e = c.expectError("bad_frame", null);
            assertTrue(((String) e.get("message")).contains(messagePart), () -> "message of " + e.header());
            assertTrue(c.closedByServer(), "2.3: a frame that cannot be parsed ends the connection");
        }
    }

    private void assertBadFrame(String header, String messagePart) throws IOException {
        assertBadFrame(header.getBytes(StandardCharsets.UTF_8), messagePart);
    }

    /** Sends one header that section 2 says is valid: it is a PING with id 1, answered by PONG id 1. */
    private void assertAccepted(String header) throws IOException {
        try (RawPeer c = connect()) {
            Frame a = c.call(header);
            assertEquals("PONG", a.op(), () -> header + " got " + a.header());
            assertEquals(1L, a.get("id"));
        }
    }

    // ---- 1. Connection ----------------------------------------------------------------------

    @Test
    void section1_serverSendsItsPreambleWithoutWaitingForTheClients() throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            byte[] got = s.getInputStream().readNBytes(8);
            assertEquals(new String(RawPeer.PREAMBLE, StandardCharsets.ISO_8859_1),
                    new String(got, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void section1_aWrongFirstByteIsRefusedWithBadPreambleThenClose() throws IOException {
        try (RawPeer c = RawPeer.connectWithoutPreamble(server.port())) {
            c.sendRaw("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Frame e = c.expectError("bad_preamble", null);
            assertTrue(((String) e.get("message")).contains("HTTP"), () -> "guesses what it speaks: " + e.header());
            assertTrue(c.closedByServer());
        }
    }

    /** Nothing after the wrong byte is needed: the refusal comes while the client sends no more. */
    @Test
    void section1_theRefusalComesAtTheFirstWrongByte() throws IOException {
        try (RawPeer c = RawPeer.connectWithoutPreamble(server.port())) {
            c.sendRaw(new byte[] {'F', 'E', 'R', 'X'});
            c.expectError("bad_preamble", null);
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void section1_anotherMajorVersionIsRefused_anotherMinorIsAccepted() throws IOException {
        try (RawPeer c = RawPeer.connectWithoutPreamble(server.port())) {
            c.sendRaw(new byte[] {'F', 'E', 'R', 'R', 'Y', 0, 2, 0});
            Frame e = c.expectError("bad_preamble", null);
            assertTrue(((String) e.get("message")).contains("unsupported protocol version 2."), () -> e.header().toString());
            assertTrue(c.closedByServer());
        }
        try (RawPeer c = RawPeer.connectWithoutPreamble(server.port())) {
            c.sendRaw(new byte[] {'F', 'E', 'R', 'R', 'Y', 0, 1, 7});
            assertEquals("PONG", c.call("{\"op\":\"PING\",\"id\":1}").op());
        }
    }

    // ---- 2. Frames --------------------------------------------------------------------------

    @Test
    void section2_headerLengthOverTheLimitOrUnderTwoIsBadFrame() throws IOException {
        try (RawPeer c = connect()) {
            c.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            Frame e = c.expectError("bad_frame", null);
            assertEquals("header length 2147483647 exceeds limit 65536", e.get("message"));
            assertTrue(c.closedByServer());
        }
        assertBadFrame(new byte[] {'{'}, "too short");
    }

    @Test
    void section2_2_sizeThatIsNotAnIntegerAtLeastZeroIsBadFrame() throws IOException {
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"size\":-1}", "size");
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"size\":\"3\"}", "size");
    }

    @Test
    void section2_2_absentSizeMeansNoBody() throws IOException {
        try (RawPeer c = connect()) {
            Frame a = c.call("{\"op\":\"PING\",\"id\":1}");
            assertEquals("PONG", a.op());
            assertEquals(0, a.body().length);
        }
    }

    @Test
    void section2_1_topLevelMustBeAnObject() throws IOException {
        assertBadFrame("[\"PING\",1]", "must be a JSON object");
        assertBadFrame("\"PING\"", "must be a JSON object");
    }

    @Test
    void section2_1_integersOnly_fractionsExponentsLeadingZerosAndOverflowAreRefused() throws IOException {
        assertBadFrame("{\"op\":\"PING\",\"id\":1.0}", "only integers");
        assertBadFrame("{\"op\":\"PING\",\"id\":1e3}", "only integers");
        assertBadFrame("{\"op\":\"PING\",\"id\":01}", "leading zeros");
        assertBadFrame("{\"op\":\"PING\",\"id\":-01}", "leading zeros");
        assertBadFrame("{\"op\":\"PING\",\"id\":9223372036854775808}", "int64");
        assertBadFrame("{\"op\":\"PING\",\"id\":-9223372036854775809}", "int64");
        assertBadFrame("{\"op\":\"PING\",\"id\":+1}", "unexpected character '+'");
    }

    @Test
    void section2_1_int64ExtremesAreAccepted() throws IOException {
        try (RawPeer c = connect()) {
            assertEquals(Long.MAX_VALUE, c.call("{\"op\":\"PING\",\"id\":9223372036854775807}").get("id"));
            assertEquals(Long.MIN_VALUE, c.call("{\"op\":\"PING\",\"id\":-9223372036854775808}").get("id"));
        }
    }

    @Test
    void section2_1_minusZeroIsAcceptedAndMeansZero() throws IOException {
        try (RawPeer c = connect()) {
            Frame a = c.call("{\"op\":\"PING\",\"id\":-0,\"size\":-0}");
            assertEquals("PONG", a.op());
            assertEquals(0L, a.get("id"));
            assertEquals(0, a.body().length);
        }
    }

    @Test
    void section2_1_whitespaceIsAllowedAroundTheObjectAndBetweenTokens() throws IOException {
        assertAccepted(" \t\r\n{ \"op\" :\t\"PING\" ,\r\n\"id\": 1 }\n\r\t ");
    }

    @Test
    void section2_1_onlySpaceTabCrLfAreWhitespace_aByteOrderMarkIsRefused() throws IOException {
        assertBadFrame("\uFEFF{\"op\":\"PING\",\"id\":1}", "a header must be a JSON object");
        assertBadFrame("{\"op\":\"PING\",\"id\":1}\u00A0", "trailing garbage");
        assertBadFrame("{\"op\":\"PING\",\"id\":1}\u000B", "trailing garbage");
    }

    @Test
    void section2_1_trailingBytesAfterTheObjectAreRefused() throws IOException {
        assertBadFrame("{\"op\":\"PING\",\"id\":1}{}", "trailing garbage");
    }

    /** The header object is level 1; each object or array inside it adds a level; 16 are allowed. */
    @Test
    void section2_1_nestingIsCountedFromTheHeaderObjectAsLevelOne() throws IOException {
        assertAccepted("{\"op\":\"PING\",\"id\":1,\"x\":" + "[".repeat(15) + "]".repeat(15) + "}");
        assertAccepted("{\"op\":\"PING\",\"id\":1,\"x\":" + "{\"y\":".repeat(15) + "0" + "}".repeat(15) + "}");
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"x\":" + "[".repeat(16) + "]".repeat(16) + "}", "nesting deeper than 16");
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"x\":" + "[{\"y\":".repeat(8) + "0" + "}]".repeat(8) + "}",
                "nesting deeper than 16");
    }

    @Test
    void section2_1_duplicateKeysAreRefused_alsoWhenOnlyTheirEscapesDiffer() throws IOException {
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"op\":\"PING\"}", "duplicate key \"op\"");
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"o\\u0070\":\"PING\"}", "duplicate key \"op\"");
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"x\":{\"a\":1,\"a\":2}}", "duplicate key \"a\"");
    }

    @Test
    void section2_1_everyEscapeIsAccepted_includingSurrogatePairs() throws IOException {
        assertAccepted("{\"op\":\"PI\\u004eG\",\"id\":1,\"x\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\ud83d\\ude00\"}");
    }

    @Test
    void section2_1_loneSurrogatesAreRefused_escapedOrEncoded() throws IOException {
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"x\":\"\\ud83d\"}", "lone high surrogate");
        assertBadFrame("{\"op\":\"PING\",\"id\":1,\"x\":\"\\ude00\"}", "lone low surrogate");
        assertBadFrame(utf8WithRawBytes(0xED, 0xA0, 0x80), "UTF-8 encoded surrogate");
    }

    @Test
    void section2_1_invalidUtf8IsRefused() throws IOException {
        assertBadFrame(utf8WithRawBytes(0xC0, 0xAF), "invalid UTF-8 lead byte"); // overlong '/'
        assertBadFrame(utf8WithRawBytes(0xE0, 0x80, 0xAF), "overlong");
        assertBadFrame(utf8WithRawBytes(0xF4, 0x90, 0x80, 0x80), "above U+10FFFF");
        assertBadFrame(utf8WithRawBytes(0xE2, 0x82), "UTF-8 continuation"); // cut short by the closing quote
    }

    @Test
    void section2_1_rawControlCharactersInStringsAreRefused() throws IOException {
        assertBadFrame(utf8WithRawBytes(0x0A), "raw control character");
        assertBadFrame(utf8WithRawBytes(0x00), "raw control character");
    }

    /** {@code {"op":"PING","id":1,"x":"<bytes>"}} with {@code bytes} raw inside the string. */
    private static byte[] utf8WithRawBytes(int... bytes) {
        byte[] head = "{\"op\":\"PING\",\"id\":1,\"x\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + bytes.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        for (int i = 0; i < bytes.length; i++) {
            all[head.length + i] = (byte) bytes[i];
        }
        System.arraycopy(tail, 0, all, head.length + bytes.length, tail.length);
        return all;
    }

    // ---- 2.2 / 3. Requests ------------------------------------------------------------------

    @Test
    void section2_2_unknownFieldsAreIgnored() throws IOException {
        assertAccepted("{\"op\":\"PING\",\"id\":1,\"future\":{\"a\":[1,true,null]}}");
    }

    @Test
    void section2_2_aMissingOrNonStringOpIsBadRequest_andTheConnectionStaysOpen() throws IOException {
        try (RawPeer c = connect()) {
            c.send("{\"id\":5}");
            Frame e = c.expectError("bad_request", 5L);
            assertTrue(((String) e.get("message")).contains("\"op\""), () -> e.header().toString());
            c.send("{\"op\":7,\"id\":6}");
            c.expectError("bad_request", 6L);
            assertEquals("PONG", c.call("{\"op\":\"PING\",\"id\":7}").op());
        }
    }

    @Test
    void section2_2_opNamesAreCaseSensitive() throws IOException {
        try (RawPeer c = connect()) {
            c.send("{\"op\":\"ping\",\"id\":1}");
            c.expectError("unknown_op", 1L);
            c.send("{\"op\":\"Ping\",\"id\":2}");
            c.expectError("unknown_op", 2L);
            assertEquals("PONG", c.call("{\"op\":\"PING\",\"id\":3}").op());
        }
    }

    @Test
    void section3_anErrorIsFinalForItsRequestOnly() throws IOException {
        try (RawPeer c = connect()) {
            c.send("{\"op\":\"NO_SUCH_OP\",\"id\":1}");
            c.send("{\"op\":\"PING\",\"id\":2}");
            c.expectError("unknown_op", 1L);
            assertEquals("PONG", c.read().op());
        }
    }

    // ---- 4. Core ops ------------------------------------------------------------------------

    @Test
    void section4_helloDescribesTheServer() throws IOException {
        try (RawPeer c = connect()) {
            Frame a = c.call("{\"op\":\"HELLO\",\"id\":1,\"client\":\"spec-test\"}");
            assertEquals("HELLO", a.op());
            assertEquals(1L, a.get("id"));
            assertEquals("ferry", a.get("server"));
            assertEquals("1.0", a.get("protocol"));
            assertTrue(((List<?>) a.get("features")).contains("ping"));
            assertEquals(65536L, a.get("maxHeaderBytes"));
            assertTrue(a.header().has("version"));
        }
    }

    /** A server without logins says optional, its connections are anonymous, and AUTH_START is unknown. */
    @Test
    void section4_helloOfAServerWithoutLogins() throws IOException {
        try (RawPeer c = connect()) {
            Frame a = c.call("{\"op\":\"HELLO\",\"id\":1}");
            assertEquals("optional", a.get("login"));
            assertEquals("anonymous", a.get("user"));
            assertFalse(((List<?>) a.get("features")).stream().anyMatch(f -> ((String) f).startsWith("auth")),
                    () -> "no auth feature: " + a.get("features"));
            c.send("{\"op\":\"AUTH_START\",\"id\":2,\"scram\":\"n,,n=user,r=abc\"}");
            c.expectError("unknown_op", 2L);
        }
    }

    @Test
    void section4_pingEchoesTheBody() throws IOException {
        try (RawPeer c = connect()) {
            byte[] body = "sticky packets".getBytes(StandardCharsets.US_ASCII);
            Frame a = c.call("{\"op\":\"PING\",\"id\":2,\"size\":" + body.length + "}", body);
            assertEquals("PONG", a.op());
            assertEquals((long) body.length, a.get("size"));
            assertEquals("sticky packets", a.bodyText());
        }
    }

    /** The PONG and the first half come back before the second half is sent. */
    @Test
    void section4_pingEchoesTheBodyAsItArrives() throws IOException {
        try (RawPeer c = connect()) {
            byte[] half = "x".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            c.send("{\"op\":\"PING\",\"id\":1,\"size\":2000}", half);
            Header pong = c.readHeader();
            assertEquals("PONG", pong.get("op"));
            assertEquals(2000L, pong.get("size"));
            assertArrayEquals(half, c.readBytes(half.length));
            c.sendRaw(half);
            assertArrayEquals(half, c.readBytes(half.length));
            assertEquals("PONG", c.call("{\"op\":\"PING\",\"id\":2}").op());
        }
    }

    @Test
    void section4_byeIsAnsweredAfterEarlierRequestsThenTheServerCloses() throws IOException {
        try (RawPeer c = connect()) {
            c.send("{\"op\":\"PING\",\"id\":1}");
            c.send("{\"op\":\"BYE\",\"id\":2}");
            assertEquals("PONG", c.read().op());
            Frame bye = c.read();
            assertEquals("BYE", bye.op());
            assertEquals(2L, bye.get("id"));
            assertNull(bye.get("code"));
            assertTrue(c.closedByServer());
        }
    }
}
