package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.AuthClient;
import ferry.client.AuthenticationException;
import ferry.client.ClientOptions;
import ferry.client.ClientTls;
import ferry.client.FerryClient;
import ferry.client.LoginResult;
import ferry.client.RemoteException;
import ferry.client.ScramClient;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.scram.ScramMath;
import ferry.protocol.tls.ChannelBinding;
import ferry.reactor.Right;
import ferry.reactor.TlsLoopBuffers;
import ferry.reactor.TlsSettings;
import ferry.reactor.TlsTestKeys;
import ferry.reactor.TlsTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SCRAM-SHA-256-PLUS: the login proof bound to the server's TLS certificate (RFC 5929, RFC 7677). */
class ScramPlusTest {
    private static final String PW = "alice-secret-1";

    @TempDir
    Path dir;
    private AuthFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    private AuthFixture tlsServer() throws Exception {
        f = new AuthFixture(dir).user("alice", PW, EnumSet.of(Right.READ), "");
        f.configure = b -> b.tls(TlsTestKeys.settings(TlsSettings.Plaintext.ALWAYS));
        return f.start(AuthSettings.defaults(), true);
    }

    private FerryClient tls() throws IOException {
        return FerryClient.connect("127.0.0.1", f.server.port(), ClientOptions.defaults()
                .withTls(ClientTls.pinned(TlsTestKeys.primary().fingerprint())));
    }

    @Test
    void overTlsTheServerOffersPlusAndTheLoginIsBound() throws Exception {
        tlsServer();
        try (FerryClient c = tls()) {
            Header hello = c.hello();
            assertEquals(ChannelBinding.TLS_SERVER_END_POINT, hello.optString("channelBinding"));
            assertTrue(hello.optList("features").contains(AuthService.FEATURE_PLUS));
            LoginResult r = new AuthClient(c).login("alice", PW.toCharArray());
            assertEquals("alice", r.user());
            assertTrue(f.logLines.stream().anyMatch(l -> l.contains("logged in as alice")));
        }
        try (FerryClient plain = FerryClient.connect("127.0.0.1", f.server.port())) {
            Header hello = plain.hello();
            assertEquals(null, hello.optString("channelBinding"), "no binding offered in plaintext");
            assertEquals("alice", new AuthClient(plain).login("alice", PW.toCharArray()).user(), "plain SCRAM in plaintext");
        }
    }

    /** A relayed login: the client's TLS ended at another certificate, so its proof is bound to that one. */
    @Test
    void aProofBoundToAnotherCertificateIsRefused() throws Exception {
        tlsServer();
        try (FerryClient c = tls()) {
            ScramClient scram = new ScramClient("alice", PW.toCharArray())
                    .bindTo(ChannelBinding.tlsServerEndPoint(TlsTestKeys.other().certificate()));
            Header cont = c.call(Header.op("AUTH_START").put("mechanism", ScramMath.MECHANISM_PLUS)
                    .put("scram", scram.clientFirst()));
            String fin = scram.clientFinal(cont.requireString("scram"));
            RemoteException e = assertThrows(RemoteException.class,
                    () -> c.call(Header.op("AUTH_FINISH").put("scram", fin)));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.getMessage().contains("another certificate"), e.getMessage());
        }
    }

    @Test
    void aClientOnTlsSayingTheServerCannotBindIsRefused() throws Exception {
        tlsServer();
        try (FerryClient c = tls()) {
            RemoteException e = assertThrows(RemoteException.class, () -> c.call(Header.op("AUTH_START")
                    .put("mechanism", ScramMath.MECHANISM).put("scram", "y,,n=alice,r=abcdefgh")));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.getMessage().contains("changed the server's HELLO"), e.getMessage());
        }
    }

    @Test
    void bindingIsRefusedWithoutTls() throws Exception {
        tlsServer();
        try (FerryClient plain = FerryClient.connect("127.0.0.1", f.server.port())) {
            ScramClient scram = new ScramClient("alice", PW.toCharArray()).bindTo(new byte[32]);
            RemoteException e = assertThrows(RemoteException.class, () -> plain.call(Header.op("AUTH_START")
                    .put("mechanism", ScramMath.MECHANISM_PLUS).put("scram", scram.clientFirst())));
            assertTrue(e.getMessage().contains("without TLS"), e.getMessage());
        }
    }

    /** A server on TLS that does not offer -PLUS (here: TLS added by hand, not in its config) gets no proof. */
    @Test
    void aTlsClientRefusesAServerThatDoesNotOfferPlus() throws Exception {
        f = new AuthFixture(dir).user("alice", PW, EnumSet.of(Right.READ), "");
        f.prepare = s -> s.decorateTransports(t -> new TlsTransport(t, TlsTestKeys.context(TlsTestKeys.primary()), false,
                ByteBuffer.allocate(0), Runnable::run, loop -> TlsLoopBuffers.create(1)));
        f.start(AuthSettings.defaults(), true);
        try (FerryClient c = tls()) {
            assertTrue(!c.hello().optList("features").contains(AuthService.FEATURE_PLUS));
            AuthenticationException e = assertThrows(AuthenticationException.class,
                    () -> new AuthClient(c).login("alice", PW.toCharArray()));
            assertTrue(e.getMessage().contains("downgrade"), e.getMessage());
        }
        assertTrue(f.logLines.stream().noneMatch(l -> l.contains("login attempt") || l.contains("logged in")
                || l.contains("login failed")), "no AUTH reached the server: " + f.logLines);
    }

    @Test
    void theClientsFeatureNameIsTheServers() {
        assertEquals(List.of(AuthService.FEATURE_PLUS), List.of("auth-scram-sha-256-plus"));
    }
}
