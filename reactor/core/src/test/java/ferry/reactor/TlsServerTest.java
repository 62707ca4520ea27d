package ferry.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.ClientOptions;
import ferry.client.ClientTls;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.client.UntrustedServerException;
import ferry.protocol.ErrorCode;
import ferry.protocol.tls.KeyMaterial;
import java.io.IOException;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TLS on the server's port: handshake, one port for TLS and plaintext peers, trust, timeouts, storms. */
class TlsServerTest {
    private FerryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(2, TimeUnit.SECONDS);
        }
    }

    private FerryServer start(TlsSettings tls) throws Exception {
        server = TestServers.start(TestServers.config().tls(tls).build());
        return server;
    }

    private static ClientOptions pinned(KeyMaterial m) {
        return ClientOptions.defaults().withReadTimeoutMillis(10_000).withTls(ClientTls.pinned(m.fingerprint()));
    }

    @Test
    void aTlsClientTalksToATlsServer() throws Exception {
        start(TlsTestKeys.settings(TlsSettings.Plaintext.NEVER));
        try (FerryClient c = FerryClient.connect("127.0.0.1", server.port(), pinned(TlsTestKeys.primary()))) {
            assertTrue(c.isTls());
            assertEquals("ferry", c.hello().op().equals("HELLO") ? "ferry" : c.hello().op());
            byte[] body = new byte[300_000];
            new java.util.Random(1).nextBytes(body);
            assertEquals(java.util.Arrays.hashCode(body), java.util.Arrays.hashCode(c.ping(body)), "echoed through TLS");
            assertTrue(c.ping() >= 0);
        }
    }

    @Test
    void tlsAndPlaintextClientsShareOnePort() throws Exception {
        start(TlsTestKeys.settings(TlsSettings.Plaintext.ALWAYS));
        try (FerryClient tls = FerryClient.connect("127.0.0.1", server.port(), pinned(TlsTestKeys.primary()));
             FerryClient plain = FerryClient.connect("127.0.0.1", server.port())) {
            for (int i = 0; i < 3; i++) {
                assertTrue(tls.ping() >= 0);
                assertTrue(plain.ping() >= 0);
            }
            assertTrue(tls.isTls());
            assertFalse(plain.isTls());
        }
    }

    @Test
    void aPlaintextClientToATlsOnlyServerIsToldInOneLine() throws Exception {
        start(TlsTestKeys.settings(TlsSettings.Plaintext.NEVER));
        try (FerryClient plain = FerryClient.connect("127.0.0.1", server.port())) {
            RemoteException e = assertThrows(RemoteException.class, plain::hello);
            assertEquals(ErrorCode.TLS_REQUIRED, e.code());
            assertTrue(e.getMessage().contains("requires TLS"), e.getMessage());
        }
    }

    @Test
    void loopbackPlaintextIsAllowedWhenThePolicySaysSo() throws Exception {
        start(TlsTestKeys.settings(TlsSettings.Plaintext.LOOPBACK));
        try (FerryClient plain = FerryClient.connect("127.0.0.1", server.port())) {
            assertTrue(plain.ping() >= 0);
        }
    }

    @Test
    void aTlsClientToAPlaintextServerIsToldInOneLine() throws Exception {
        server = TestServers.start(TestServers.config().build());
        IOException e = assertThrows(IOException.class,
                () -> FerryClient.connect("127.0.0.1", server.port(), pinned(TlsTestKeys.primary())));
        assertTrue(e.getMessage().contains("plaintext only"), e.getMessage());
    }

    @Test
    void aWrongFingerprintIsRefusedAndNothingIsSent() throws Exception {
        start(TlsTestKeys.settings(TlsSettings.Plaintext.NEVER));
        UntrustedServerException e = assertThrows(UntrustedServerException.class,
                () -> FerryClient.connect("127.0.0.1", server.port(), pinned(TlsTestKeys.other())));
        assertTrue(e.getMessage().contains(TlsTestKeys.other().fingerprint()), e.getMessage());
        assertTrue(e.getMessage().contains(TlsTestKeys.primary().fingerprint()), e.getMessage());
        ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 0);
        assertEquals(0, server.stats().bytesRead.sum(), "no plaintext reached the server");
    }

    @Test
    void aStalledHandshakeIsCutByTheHandshakeTimeout() throws Exception {
        FakeClock clock = new FakeClock();
        server = TestServers.start(TestServers.config().clock(clock).handshakeTimeoutMillis(5_000)
                .tls(TlsTestKeys.settings(TlsSettings.Plaintext.NEVER)).build());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}); // a ClientHello that never ends
            ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 1);
            clock.advanceMillis(6_000);
            server.sweepAllNow();
            ReactorTest.waitUntil(() -> server.stats().connectionsOpen.get() == 0);
            byte[] buf = new byte[512];
            int n;
            while ((n = s.getInputStream().read(buf)) > 0) {
                assertTrue(buf[0] != 'F', "no plaintext Ferry frame to a TLS peer");
            }
            assertEquals(-1, n, "closed by the server");
        }
        assertEquals(1, server.stats().timeouts.sum());
    }

    /**
     * Handshake work that blocks (a key manager waiting on a latch) must not block the loop: with
     * one loop, an established connection's PINGs are answered while handshakes are stuck in it.
     * Were the engine's tasks run on the loop, the PING would never be answered.
     */
    @Test
    void stuckHandshakesDoNotStallPingsOnTheLoop() throws Exception {
        SSLContext blocking = blockingContext(TlsTestKeys.primary());
        BlockingKeyManager.waiting.drainPermits();
        server = TestServers.start(TestServers.config().loops(1).loginWorkerThreads(4)
                .tls(new TlsSettings(blocking, TlsSettings.Plaintext.ALWAYS)).build());
        try (FerryClient plain = FerryClient.connect("127.0.0.1", server.port())) {
            assertTrue(plain.ping() >= 0);
            CountDownLatch gate = new CountDownLatch(1);
            CompletableFuture<FerryClient> stuck = new CompletableFuture<>();
            BlockingKeyManager.gate = gate; // handshakes from now on wait in their task until it opens
            Thread t = new Thread(() -> {
                try {
                    stuck.complete(FerryClient.connect("127.0.0.1", server.port(), pinned(TlsTestKeys.primary())));
                } catch (Throwable e) {
                    stuck.completeExceptionally(e);
                }
            });
            t.start();
            assertTrue(BlockingKeyManager.waiting.tryAcquire(10, TimeUnit.SECONDS), "a handshake is stuck in its task");
            for (int i = 0; i < 20; i++) {
                assertTrue(plain.ping() >= 0, "the loop answers while a handshake task is stuck");
            }
            gate.countDown();
            try (FerryClient c = stuck.get(10, TimeUnit.SECONDS)) {
                assertTrue(c.ping() >= 0, "the stuck handshake completes once its task is released");
            }
        } finally {
            BlockingKeyManager.gate = new CountDownLatch(0);
        }
    }

    /**
     * Handshake work is bounded by the login lane: with its one thread stuck and its queue of one
     * full, a further handshake is refused at once (the client hears so) instead of queueing.
     */
    @Test
    void handshakesBeyondTheLoginLaneAreRefusedNotQueued() throws Exception {
        SSLContext blocking = blockingContext(TlsTestKeys.primary());
        server = TestServers.start(TestServers.config().loops(1).loginWorkerThreads(1).workerQueue(1)
                .tls(new TlsSettings(blocking, TlsSettings.Plaintext.ALWAYS)).build());
        CountDownLatch gate = new CountDownLatch(1);
        BlockingKeyManager.gate = gate;
        BlockingKeyManager.waiting.drainPermits();
        java.util.List<CompletableFuture<FerryClient>> pending = new java.util.ArrayList<>();
        try (FerryClient plain = FerryClient.connect("127.0.0.1", server.port())) {
            pending.add(connectInBackground());
            assertTrue(BlockingKeyManager.waiting.tryAcquire(10, TimeUnit.SECONDS), "the worker is stuck");
            pending.add(connectInBackground());
            Workers login = server.workers(WorkerLane.LOGIN);
            ReactorTest.waitUntil(() -> login.queued() == 1);
            IOException refused = assertThrows(IOException.class,
                    () -> FerryClient.connect("127.0.0.1", server.port(), pinned(TlsTestKeys.primary())));
            assertTrue(refused.getMessage().contains("closed the connection during the TLS handshake"), refused.getMessage());
            assertTrue(plain.ping() >= 0, "the loop serves on");
        } finally {
            gate.countDown();
            BlockingKeyManager.gate = new CountDownLatch(0);
        }
        for (CompletableFuture<FerryClient> f : pending) {
            try (FerryClient c = f.get(10, TimeUnit.SECONDS)) {
                assertTrue(c.ping() >= 0, "the accepted handshakes finish once the worker is free");
            }
        }
    }

    private CompletableFuture<FerryClient> connectInBackground() {
        CompletableFuture<FerryClient> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(FerryClient.connect("127.0.0.1", server.port(), pinned(TlsTestKeys.primary())));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return f;
    }

    private static SSLContext blockingContext(KeyMaterial m) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {new BlockingKeyManager(m.keyManager())}, null, null);
        return ctx;
    }

    /** Delegates to a real key manager, but makes the handshake task wait on {@link #gate}. */
    static final class BlockingKeyManager extends X509ExtendedKeyManager {
        static volatile CountDownLatch gate = new CountDownLatch(0);
        static final java.util.concurrent.Semaphore waiting = new java.util.concurrent.Semaphore(0);
        private final X509ExtendedKeyManager real;

        BlockingKeyManager(X509ExtendedKeyManager real) {
            this.real = real;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            CountDownLatch g = gate;
            if (g.getCount() > 0) {
                waiting.release();
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return real.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return real.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return real.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return real.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return real.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return real.getPrivateKey(alias);
        }
    }
}
