package ferry.client;

import ferry.protocol.tls.Fingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a client trusts a TLS server. Three ways, never "trust anything":
 * <ul>
 *   <li>{@link #pinned}: exactly the certificate with this SHA-256 fingerprint ({@code --fingerprint});
 *   <li>{@link #knownHosts}: as ssh does, the fingerprint remembered for {@code host:port}; a new
 *       server goes to a {@link FirstContact} (prompt, {@code --accept-new} or refuse); a changed
 *       one is refused, loudly;
 *   <li>{@link #ca}: certificates signed by a CA from a PEM file, with the host name checked.
 * </ul>
 * Pinning ignores the certificate's dates and names, as ssh ignores a host key's: the fingerprint
 * is the identity.
 *
 * <p>Thread safety: immutable; one instance serves many connections at once.
 */
public final class ClientTls {
    private final SSLContext context;
    private final boolean checkHostname;

    private ClientTls(SSLContext context, boolean checkHostname) {
        this.context = context;
        this.checkHostname = checkHostname;
    }

    /** Trusts only the certificate whose fingerprint is {@code fingerprint} (any form {@link Fingerprint#parse} reads). */
    public static ClientTls pinned(String fingerprint) {
        String want = Fingerprint.parse(fingerprint);
        return withTrust(new PinningTrust((hostPort, offered) -> {
            if (!offered.equals(want)) {
                throw new UntrustedCertificateException("the TLS certificate of " + hostPort + " is not the one asked for:\n"
                        + "  expected: " + want + " (--fingerprint)\n  offered:  " + offered + "\n"
                        + "Someone may be intercepting the connection, or the fingerprint is out of date. Connection refused.");
            }
        }));
    }

    /** Trusts what {@code hosts} remembers; asks {@code firstContact} about new servers. */
    public static ClientTls knownHosts(KnownHosts hosts, FirstContact firstContact) {
        return withTrust(new PinningTrust((hostPort, offered) -> {
            KnownHosts.Entry known;
            try {
                known = hosts.lookup(hostPort);
            } catch (IOException e) {
                throw new UntrustedCertificateException("cannot read " + hosts.file() + ": " + e.getMessage());
            }
            if (known != null) {
                if (!known.fingerprint().equals(offered)) {
                    throw new UntrustedCertificateException("WARNING: THE TLS CERTIFICATE OF " + hostPort + " HAS CHANGED!\n"
                            + "  known:   " + known.fingerprint() + " (" + hosts.file() + " line " + known.line() + ")\n"
                            + "  offered: " + offered + "\n"
                            + "Someone may be intercepting the connection (man in the middle), or the server got a new"
                            + " certificate. If you know it did, delete line " + known.line() + " of " + hosts.file()
                            + " and connect again. Connection refused.");
                }
                return;
            }
            boolean ok;
            try {
                ok = firstContact.trust(hostPort, offered);
            } catch (IOException e) {
                throw new UntrustedCertificateException("cannot confirm the certificate of " + hostPort + ": " + e.getMessage());
            }
            if (!ok) {
                throw new UntrustedCertificateException("the authenticity of " + hostPort + " cannot be established:"
                        + " its TLS certificate fingerprint is " + offered + ". If that is the server's (it prints it at"
                        + " start, and `ferry info` shows it), trust it with --fingerprint " + offered
                        + " or --accept-new, or answer yes on a terminal.");
            }
            try {
                hosts.add(hostPort, offered);
            } catch (IOException e) {
                throw new UntrustedCertificateException("cannot remember " + hostPort + " in " + hosts.file() + ": " + e.getMessage());
            }
        }));
    }

    /** Trusts certificates signed by a CA in {@code caPem}, for the host name connected to. */
    public static ClientTls ca(Path caPem) throws IOException {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException(caPem + ": no certificate found");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager) {
                    return new ClientTls(context(new TrustManager[] {new CurrentLeaf((X509ExtendedTrustManager) tm)}), true);
                }
            }
            throw new IOException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IOException(caPem + ": cannot use as a CA: " + e.getMessage(), e);
        }
    }

    private static ClientTls withTrust(TrustManager tm) {
        return new ClientTls(context(new TrustManager[] {tm}), false);
    }

    private static SSLContext context(TrustManager[] tms) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tms, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS", e);
        }
    }

    /** A client engine for {@code host:port} (SNI, and the host name check with a CA). */
    public SSLEngine newEngine(String host, int port) {
        SSLEngine e = context.createSSLEngine(host, port);
        e.setUseClientMode(true);
        if (checkHostname) {
            SSLParameters p = e.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            e.setSSLParameters(p);
        }
        return e;
    }

    /**
     * PKIX trust plus the leaf's dates: the JDK does not check the dates of a certificate that is
     * itself a trust anchor (a self-signed server certificate given as the CA).
     */
    private static final class CurrentLeaf extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;

        CurrentLeaf(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
            chain[0].checkValidity();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
            chain[0].checkValidity();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            chain[0].checkValidity();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    /** The reason a certificate was refused; carried through the JDK's handshake exception. */
    static final class UntrustedCertificateException extends CertificateException {
        private static final long serialVersionUID = 1L;

        UntrustedCertificateException(String message) {
            super(message);
        }
    }

    /** Decides on the leaf's fingerprint for {@code host:port}; throws to refuse. */
    @FunctionalInterface
    interface FingerprintCheck {
        void check(String hostPort, String fingerprint) throws UntrustedCertificateException;
    }

    /** A trust manager that checks the server's leaf certificate by fingerprint only. Client side only. */
    private static final class PinningTrust extends X509ExtendedTrustManager {
        private final FingerprintCheck check;

        PinningTrust(FingerprintCheck check) {
            this.check = check;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, engine.getPeerHost() + ":" + engine.getPeerPort());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, socket.getInetAddress().getHostName() + ":" + socket.getPort());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server's certificate is checked with its host and port");
        }

        private void check(X509Certificate[] chain, String hostPort) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            check.check(hostPort, Fingerprint.of(chain[0]));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
