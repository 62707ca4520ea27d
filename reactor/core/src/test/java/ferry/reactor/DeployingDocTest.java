package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the HAProxy health check in docs/DEPLOYING.md right: its bytes are Ferry's preamble and a
 * PING frame as the encoder writes them, and played against a real server behind
 * {@code --proxy-protocol} (after the v2 LOCAL header HAProxy's {@code check-send-proxy} sends)
 * the answer holds what the check expects.
 */
class DeployingDocTest {
    static final Path DOC = Path.of("../../docs/DEPLOYING.md"); // tests run in reactor/core/

    private static String doc(String directive) throws IOException {
        Matcher m = Pattern.compile("tcp-check " + directive + " ([0-9a-f]+)").matcher(Files.readString(DOC));
        assertTrue(m.find(), "docs/DEPLOYING.md has a tcp-check " + directive + " line");
        return m.group(1);
    }

    @Test
    void theDocumentedHealthCheckSendsAPingAndItsExpectationMatchesThePong() throws Exception {
        ByteBuffer frame = new FrameEncoder().encode(Header.op("PING").put(Header.ID, 1));
        ByteArrayOutputStream check = new ByteArrayOutputStream();
        check.writeBytes(Preamble.bytes());
        byte[] f = new byte[frame.remaining()];
        frame.get(f);
        check.writeBytes(f);
        String send = doc("send-binary");
        assertEquals(HexFormat.of().formatHex(check.toByteArray()), send, "send-binary is the preamble and a PING frame");
        byte[] expect = HexFormat.of().parseHex(doc("expect binary"));
        assertEquals("\"op\":\"PONG\"", new String(expect, StandardCharsets.US_ASCII));

        assumeTrue(canBind("127.0.0.2"), "needs the whole 127/8 on loopback (Linux)");
        FerryServer server = TestServers.start(TestServers.config().proxyProtocol(true).loginRequired(true)
                .trustedProxies(List.of(AddressRange.parse("127.0.0.2"))).build());
        try (RawPeer haproxy = new RawPeer(server.port(), false, new InetSocketAddress("127.0.0.2", 0))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ProxyHeaderParserTest.v2(0, 0x00, new byte[0])); // check-send-proxy with send-proxy-v2: LOCAL
            out.writeBytes(HexFormat.of().parseHex(send));
            haproxy.sendRaw(out.toByteArray());
            byte[] answer = readUntil(haproxy, expect);
            assertTrue(indexOf(answer, expect) >= 0, "the answer holds the expected bytes: " + HexFormat.of().formatHex(answer));
        } finally {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    /** Reads until {@code expect} has come or the server closed, as HAProxy's check does. */
    private static byte[] readUntil(RawPeer p, byte[] expect) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[256];
        while (indexOf(got.toByteArray(), expect) < 0) {
            int r = p.in.read(buf);
            if (r < 0) {
                break;
            }
            got.write(buf, 0, r);
        }
        return got.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean canBind(String address) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
