package ferry.services.admin;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.ServerLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin endpoint over real HTTP on loopback, against a real server. */
class AdminEndpointTest {
    FerryServer server;
    AdminEndpoint endpoint;
    final List<FerryClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new FerryServer(ServerConfig.builder().port(0).build(), ServerLog.NONE);
        server.register("HOLD", call -> null); // never answered: a request in flight to see
        server.start();
        endpoint = new AdminEndpoint(new InetSocketAddress("127.0.0.1", 0), server.admin(), ServerLog.NONE);
        endpoint.start();
    }

    @AfterEach
    void stop() throws IOException {
        for (FerryClient c : clients) {
            c.close();
        }
        endpoint.close();
        server.stop(0, TimeUnit.MILLISECONDS);
    }

    private FerryClient connect() throws IOException {
        FerryClient c = FerryClient.connect("127.0.0.1", server.port());
        clients.add(c);
        c.ping();
        return c;
    }

    record Reply(int status, String body) {}

    /** One HTTP/1.1 request by hand, so the test controls every header (Host included). */
    private Reply http(String method, String path, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", endpoint.address().getPort())) {
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nConnection: close\r\n");
            boolean host = false;
            for (String h : headers) {
                req.append(h).append("\r\n");
                host |= h.regionMatches(true, 0, "Host:", 0, 5);
            }
            if (!host) {
                req.append("Host: 127.0.0.1:").append(endpoint.address().getPort()).append("\r\n");
            }
            if (method.equals("POST")) {
                req.append("Content-Length: 0\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            if (text.toLowerCase().contains("transfer-encoding: chunked")) {
                body = unchunk(body);
            }
            return new Reply(status, body);
        }
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int eol = body.indexOf("\r\n", i);
            int n = Integer.parseInt(body.substring(i, eol).trim(), 16);
            if (n == 0) {
                return out.toString();
            }
            out.append(body, eol + 2, eol + 2 + n);
            i = eol + 2 + n + 2;
        }
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> connections() throws Exception {
        Reply r = http("GET", "/connections");
        assertEquals(200, r.status(), r.body());
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isEmpty()) {
                out.add((Map<String, Object>) Json.parse(line));
            }
        }
        return out;
    }

    @Test
    void listsLiveConnectionsWithTheirUserAddressOpAndBytes() throws Exception {
        FerryClient a = connect();
        connect();
        a.send(Header.op("HOLD").put(Header.ID, a.nextId()));
        List<Map<String, Object>> list = connections();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"HOLD".equals(list.get(0).get("op"))) { // until the server has read it
            assertTrue(System.nanoTime() < deadline, list.toString());
            Thread.sleep(5); // polling with a deadline
            list = connections();
        }
        assertEquals(2, list.size(), list.toString());
        Map<String, Object> first = list.get(0);
        assertEquals("anonymous", first.get("user"));
        assertTrue(((String) first.get("address")).startsWith("127.0.0.1:"), first.toString());
        assertEquals("HOLD", first.get("op"));
        assertTrue((Long) first.get("bytesIn") > 0 && (Long) first.get("bytesOut") > 0, first.toString());
        assertNull(list.get(1).get("op"), "nothing in flight on the other one");
        assertTrue((Long) list.get(0).get("id") < (Long) list.get(1).get("id"));
    }

    @Test
    void closesOneConnectionWhichReadsWhyAndTheOthersStay() throws Exception {
        FerryClient a = connect();
        FerryClient b = connect();
        long id = (Long) connections().get(0).get("id");
        assertEquals(403, http("POST", "/connections/" + id + "/close").status(), "no confirm header: refused");
        assertEquals(2, connections().size());
        Reply r = http("POST", "/connections/" + id + "/close", AdminEndpoint.CONFIRM_HEADER + ": 1");
        assertEquals(200, r.status(), r.body());
        assertEquals("{\"closed\":1}\n", r.body());
        RemoteException why = assertThrows(RemoteException.class, a::ping);
        assertEquals(ErrorCode.DROPPED, why.code());
        assertTrue(b.ping() > 0, "another connection is untouched");
        assertEquals(1, connections().size());
        assertEquals(404, http("POST", "/connections/" + id + "/close", AdminEndpoint.CONFIRM_HEADER + ": 1").status());
    }

    @Test
    void closesEveryConnectionOfAUser() throws Exception {
        connect();
        connect();
        connect();
        Reply r = http("POST", "/users/anonymous/close", AdminEndpoint.CONFIRM_HEADER + ": 1");
        assertEquals("{\"closed\":3}\n", r.body());
        assertEquals(List.of(), connections());
        assertEquals("{\"closed\":0}\n", http("POST", "/users/nobody/close", AdminEndpoint.CONFIRM_HEADER + ": 1").body());
    }

    @Test
    void refusesForeignHostsWrongMethodsAndUnknownPaths() throws Exception {
        connect();
        assertEquals(403, http("GET", "/connections", "Host: attacker.example").status(), "DNS rebinding");
        assertEquals(403, http("GET", "/connections", "Host: 10.0.0.1:9374").status());
        assertEquals(200, http("GET", "/connections", "Host: localhost:1").status());
        assertEquals(405, http("POST", "/connections", AdminEndpoint.CONFIRM_HEADER + ": 1").status());
        assertEquals(405, http("GET", "/connections/1/close").status());
        assertEquals(404, http("GET", "/metrics").status());
        assertEquals(404, http("POST", "/connections/x/close", AdminEndpoint.CONFIRM_HEADER + ": 1").status());
        assertEquals(1, connections().size());
    }

    @Test
    void refusesToListenAnywhereButLoopback() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdminEndpoint(new InetSocketAddress("0.0.0.0", 0), server.admin(), ServerLog.NONE));
        assertTrue(e.getMessage().contains("loopback only"), e.getMessage());
        assertTrue(AdminEndpoint.loopbackHost("127.0.0.1"));
        assertTrue(AdminEndpoint.loopbackHost("[::1]:80"));
        assertFalse(AdminEndpoint.loopbackHost("[::1].evil"));
        assertFalse(AdminEndpoint.loopbackHost("127.0.0.1.evil.example"));
        assertFalse(AdminEndpoint.loopbackHost(null));
    }
}
