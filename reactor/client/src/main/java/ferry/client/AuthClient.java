package ferry.client;

import ferry.protocol.AuthProtocol;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import ferry.protocol.scram.ScramMath;
import ferry.protocol.tls.ChannelBinding;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Logs a {@link FerryClient} in with SCRAM-SHA-256: {@code AUTH_START}, then {@code AUTH_FINISH},
 * then checks the server's signature. The password never crosses the wire.
 *
 * <pre>{@code
 * try (FerryClient c = FerryClient.connect(host, port);
 *      Credentials cred = CredentialsResolver.system().resolve(null, null)) {
 *     LoginResult who = new AuthClient(c).login(cred);
 *     ...
 * }
 * }</pre>
 *
 * <p>A refused login throws {@link RemoteException} with code {@code unauthenticated} (the
 * connection stays open for another try, up to the server's per-connection limit). A server that
 * fails to prove itself throws {@link AuthenticationException} and the connection is closed.
 *
 * <p>Thread safety: as {@link FerryClient}, one thread at a time.
 */
public final class AuthClient {
    private final FerryClient client;

    public AuthClient(FerryClient client) {
        this.client = client;
    }

    public LoginResult login(Credentials credentials) throws IOException {
        return login(credentials.user(), credentials.password());
    }

    /** Logs in; the caller keeps and zeroes {@code password}. */
    public LoginResult login(String user, char[] password) throws IOException {
        ScramClient scram;
        try {
            scram = new ScramClient(user, password);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("cannot use this password: " + e.getMessage());
        }
        return login(scram);
    }

    /** Runs an exchange prepared by the caller (a fixed nonce in tests). */
    public LoginResult login(ScramClient scram) throws IOException {
        X509Certificate cert = client.serverCertificate();
        if (cert != null) {
            requireChannelBinding();
            scram.bindTo(ChannelBinding.tlsServerEndPoint(cert));
        }
        Header cont = client.call(Header.op(AuthProtocol.START).put(AuthProtocol.MECHANISM, scram.mechanism())
                .put("scram", scram.clientFirst()));
        expectOp(cont, AuthProtocol.CONTINUE);
        String clientFinal;
        try {
            clientFinal = scram.clientFinal(cont.requireString("scram"));
        } catch (AuthenticationException | ProtocolException e) {
            client.close();
            throw e;
        }
        Header ok = client.call(Header.op(AuthProtocol.FINISH).put(AuthProtocol.SCRAM, clientFinal));
        expectOp(ok, AuthProtocol.OK);
        try {
            scram.verifyServerFinal(ok.requireString("scram"));
        } catch (AuthenticationException | ProtocolException e) {
            client.close();
            throw e;
        }
        List<String> rights = new ArrayList<>();
        List<Object> wire = ok.optList("rights");
        if (wire != null) {
            for (Object o : wire) {
                if (o instanceof String) {
                    rights.add((String) o);
                }
            }
        }
        return new LoginResult(ok.getString("user", ""), rights, ok.getString("home", ""));
    }

    /**
     * Over TLS the server must offer SCRAM-SHA-256-PLUS (HELLO: feature and channelBinding): one
     * that does not may be someone relaying this login to the real server with another TLS
     * session, where an unbound proof would work. No proof is sent then.
     */
    private void requireChannelBinding() throws IOException {
        Header hello = client.lastHello() != null ? client.lastHello() : client.hello();
        List<Object> features = hello.optList("features");
        boolean offered = features != null && features.contains(FEATURE_PLUS)
                && ChannelBinding.TLS_SERVER_END_POINT.equals(hello.optString("channelBinding"));
        if (!offered) {
            client.close();
            throw new AuthenticationException("the server is on TLS but does not offer " + ScramMath.MECHANISM_PLUS
                    + " (login bound to the TLS certificate): someone between may be relaying this login (a downgrade);"
                    + " refusing to send a proof");
        }
    }

    /** The HELLO feature of SCRAM-SHA-256-PLUS (the server's AuthService.FEATURE_PLUS). */
    static final String FEATURE_PLUS = AuthProtocol.FEATURE_PLUS;

    private void expectOp(Header h, String op) throws IOException {
        if (!op.equals(h.op())) {
            client.close();
            throw new ProtocolException("expected " + op + ", got " + h);
        }
    }
}
