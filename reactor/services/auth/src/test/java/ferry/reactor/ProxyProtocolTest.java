package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import ferry.protocol.scram.ServerFirstMessage;
import ferry.services.auth.AuthService;
import ferry.services.auth.AuthSettings;
import ferry.services.auth.UserStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server behind a PROXY protocol load balancer, over real loopback sockets from distinct source
 * addresses: 127.0.0.2 plays the trusted proxy, 127.0.0.3 a stranger. The clients the headers
 * name (documentation addresses, 203.0.113.0/24 and 2001:db8::/32) never touch the network.
 */
class ProxyProtocolTest {
    static final String PROXY = "127.0.0.2";
    static final String STRANGER = "127.0.0.3";

    private final FakeClock clock = new FakeClock();
    private FerryServer server;
    private final List<RawPeer> peers = new ArrayList<>();

    /** A server trusting {@link #PROXY}, with a WHO op answering the session's remote address. */
    private FerryServer start(ServerConfig.Builder b) throws Exception {
        assumeTrue(canBind(STRANGER), "needs the whole 127/8 on loopback (Linux)");
        server = TestServers.start(b.clock(clock).loops(2).anonymousRights(EnumSet.of(Right.READ)).proxyProtocol(true)
                        .trustedProxies(List.of(AddressRange.parse(PROXY + "/32"))).build(),
                ctx -> ctx.registerPublic("WHO", call -> {
                    call.reply(Header.reply("WHO", call.id()).put("remote", call.session().remoteAddress()));
                    return null;
                }));
        return server;
    }

    private FerryServer start() throws Exception {
        return start(TestServers.config());
    }

    @AfterEach
    void stop() throws IOException {
        for (RawPeer p : peers) {
            p.close();
        }
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    private RawPeer from(String local) throws IOException {
        RawPeer p = new RawPeer(server.port(), false, new InetSocketAddress(local, 0));
        peers.add(p);
        return p;
    }

    /** Sends a header, our preamble and WHO in one write; answers what the server says WHO is. */
    private static String who(RawPeer p, byte[] header) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(Preamble.bytes());
        out.writeBytes(p.frameBytes(Header.op("WHO").put(Header.ID, 1), new byte[0]));
        p.sendRaw(out.toByteArray());
        RawPeer.Frame f = p.read();
        assertEquals("WHO", f.op(), f.header().toString());
        return f.header().getString("remote", null);
    }

    private static byte[] v1(String client, int port) {
        return ProxyHeaderParserTest.ascii("PROXY TCP4 " + client + " 192.0.2.1 " + port + " 7373\r\n");
    }

    private static byte[] v2(String client, int port) throws IOException {
        return ProxyHeaderParserTest.v2Tcp(new InetSocketAddress(InetAddress.getByName(client), port),
                new InetSocketAddress(InetAddress.getByName(client.contains(":") ? "2001:db8::1" : "192.0.2.1"), 7373), 40);
    }

    @Test
    void theSessionSeesTheClientTheHeaderNamesV1AndV2() throws Exception {
        start();
        assertEquals("203.0.113.7:40001", who(from(PROXY), v1("203.0.113.7", 40001)));
        assertEquals("203.0.113.8:40002", who(from(PROXY), v2("203.0.113.8", 40002)));
        assertEquals(InetAddress.getByName("2001:db8::7").getHostAddress() + ":40003",
                who(from(PROXY), v2("2001:db8::7", 40003)));
    }

    @Test
    void aHealthCheckWithLocalOrUnknownKeepsTheProxysAddress() throws Exception {
        start();
        RawPeer local = from(PROXY);
        assertEquals(PROXY + ":" + local.socket.getLocalPort(), who(local, ProxyHeaderParserTest.v2(0, 0x00, new byte[0])));
        RawPeer unknown = from(PROXY);
        assertEquals(PROXY + ":" + unknown.socket.getLocalPort(), who(unknown, ProxyHeaderParserTest.ascii("PROXY UNKNOWN\r\n")));
    }

    @Test
    void aHeaderDribbledByteByByteStillWorks() throws Exception {
        start();
        RawPeer p = from(PROXY);
        for (byte b : v2("203.0.113.9", 40004)) {
            p.sendRaw(new byte[] {b});
        }
        assertEquals("203.0.113.9:40004", who(p, new byte[0]));
    }

    @Test
    void aConnectionFromAnAddressNotTrustedIsRefusedWithAReason() throws Exception {
        start();
        RawPeer p = from(STRANGER);
        p.sendRaw(v1("203.0.113.7", 40001)); // claiming to be someone: not believed, not read
        RawPeer.Frame f = p.read();
        assertEquals("ERROR", f.op());
        assertEquals(ErrorCode.FORBIDDEN, f.header().getString("code", null));
        assertEquals("this server accepts connections only through its load balancer: " + STRANGER
                + " is not a trusted proxy (--trusted-proxies)", f.header().getString("message", null));
        assertFalse(f.header().has(Header.ID));
        assertTrue(p.closedByServer());
        assertEquals(1, server.stats().connectionsRefused.sum());
    }

    @Test
    void theTrustedProxyWithoutAHeaderIsRefusedWithAReason() throws Exception {
        start();
        RawPeer p = from(PROXY);
        p.sendRaw(Preamble.bytes()); // a proxy configured without send-proxy
        p.send(Header.op("WHO").put(Header.ID, 1));
        RawPeer.Frame f = p.read();
        assertEquals("ERROR", f.op());
        assertEquals(ErrorCode.BAD_PREAMBLE, f.header().getString("code", null));
        String m = f.header().getString("message", "");
        assertTrue(m.startsWith("expected a PROXY protocol header from the trusted proxy") && m.contains("send-proxy"), m);
        assertTrue(p.closedByServer());

        RawPeer bad = from(PROXY);
        bad.sendRaw(ProxyHeaderParserTest.ascii("PROXY TCP4 203.0.113.300 192.0.2.1 1 2\r\n"));
        RawPeer.Frame e = bad.read();
        assertEquals(ErrorCode.BAD_PREAMBLE, e.header().getString("code", null));
        assertEquals("PROXY v1 header: bad IPv4 address \"203.0.113.300\"", e.header().getString("message", null));
        assertTrue(bad.closedByServer());
    }

    @Test
    void thePerAddressCapCountsTheClientNotTheProxyAndIsReleasedOnClose() throws Exception {
        start(TestServers.config().maxConnectionsPerAddress(2));
        RawPeer a1 = from(PROXY);
        RawPeer a2 = from(PROXY);
        assertEquals("203.0.113.7:1", who(a1, v1("203.0.113.7", 1)));
        assertEquals("203.0.113.7:2", who(a2, v2("203.0.113.7", 2)));
        RawPeer a3 = from(PROXY);
        a3.sendRaw(v1("203.0.113.7", 3));
        RawPeer.Frame f = a3.read();
        assertEquals(ErrorCode.SERVER_FULL, f.header().getString("code", null));
        assertEquals("too many connections from 203.0.113.7 (limit 2)", f.header().getString("message", null));
        assertTrue(a3.closedByServer());
        // The same proxy carries others: they are not held to 203.0.113.7's cap, nor to one for the proxy.
        for (int i = 0; i < 3; i++) {
            assertEquals("203.0.113." + (20 + i) + ":9", who(from(PROXY), v2("203.0.113." + (20 + i), 9)));
        }
        // Connections that never finish a header (or close before one) are not counted, then or when they go.
        RawPeer half = from(PROXY);
        half.sendRaw(ProxyHeaderParserTest.ascii("PROXY TCP4 203.0.113.7"));
        from(PROXY).close();
        half.close();
        ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 5);

        a1.close();
        ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 4);
        assertEquals("203.0.113.7:4", who(from(PROXY), v1("203.0.113.7", 4)), "a1's slot came back");
        for (RawPeer p : peers) {
            p.close();
        }
        ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 0);
        assertEquals(0, server.perAddressEntries(), "every count released");
    }

    @Test
    void aSlowlorisInsideTheHeaderIsCutByTheHandshakeTimeout() throws Exception {
        start(TestServers.config().handshakeTimeoutMillis(5_000).headerTimeoutMillis(60_000));
        long before = server.stats().bytesRead.sum();
        RawPeer p = from(PROXY);
        p.sendRaw(ProxyHeaderParserTest.ascii("PROXY TCP4 203.0.1"));
        ReactorTest.waitUntil(() -> server.stats().bytesRead.sum() >= before + 18);
        clock.advanceMillis(4_000);
        server.sweepAllNow();
        p.sendRaw(ProxyHeaderParserTest.ascii("1")); // a byte now and then does not help
        clock.advanceMillis(2_000);
        server.sweepAllNow();
        RawPeer.Frame f = p.read();
        assertEquals(ErrorCode.TIMED_OUT, f.header().getString("code", null));
        assertEquals("handshake timeout: no PROXY header within 5000 ms", f.header().getString("message", null));
        assertTrue(p.closedByServer());
    }

    @Test
    void theLoginThrottleCountsFailuresAgainstTheClientNotTheProxy(@TempDir Path dir) throws Exception {
        assumeTrue(canBind(STRANGER), "needs the whole 127/8 on loopback (Linux)");
        AuthService auth = new AuthService(UserStore.inConfigDir(dir), AuthSettings.defaults());
        server = TestServers.start(TestServers.config().loginRequired(true).proxyProtocol(true)
                .trustedProxies(List.of(AddressRange.parse(PROXY))).build(), auth);
        RawPeer p = from(PROXY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(v1("203.0.113.7", 40001));
        out.writeBytes(Preamble.bytes());
        out.writeBytes(p.frameBytes(Header.op("AUTH_START").put(Header.ID, 1).put("scram", "n,,n=mallory,r=abcdefghijklmnop"),
                new byte[0]));
        p.sendRaw(out.toByteArray());
        RawPeer.Frame challenge = p.read();
        assertEquals("AUTH_CONTINUE", challenge.op(), challenge.header().toString());
        String nonce = ServerFirstMessage.parse(challenge.header().getString("scram", null)).nonce();
        String wrongProof = Base64.getEncoder().encodeToString(new byte[32]);
        p.send(Header.op("AUTH_FINISH").put(Header.ID, 2).put("scram", "c=biws,r=" + nonce + ",p=" + wrongProof));
        assertEquals(ErrorCode.UNAUTHENTICATED, p.read().header().getString("code", null));
        long now = System.nanoTime(); // the server's own clock (Clock.SYSTEM): nothing is forgotten in 15 min
        assertEquals(1, auth.throttle().addressFailures("203.0.113.7", now), "counted against the client");
        assertEquals(0, auth.throttle().addressFailures(PROXY, now), "not against the proxy, which carries everyone");
    }

    @Test
    void proxyProtocolNeedsTrustedProxiesAndCountsAsReachableFromTheNetwork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder().proxyProtocol(true).build());
        assertTrue(e.getMessage().startsWith("proxyProtocol needs trustedProxies"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder().trustedProxies(List.of(AddressRange.parse("10.0.0.0/8"))).build());
        // On loopback behind a proxy, clients come from anywhere: anonymous writes need login as off loopback.
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class, () -> ServerConfig.builder()
                .proxyProtocol(true).trustedProxies(List.of(AddressRange.parse("127.0.0.1"))).build());
        assertTrue(open.getMessage().contains("behind a proxy clients come from anywhere"), open.getMessage());
        ServerConfig readOnly = ServerConfig.builder().proxyProtocol(true).trustedProxies(List.of(AddressRange.parse("127.0.0.1")))
                .anonymousRights(EnumSet.of(Right.READ)).build();
        assertFalse(readOnly.isLoopbackOnly());
    }

    private static boolean canBind(String address) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
