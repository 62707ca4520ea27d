package ferry.loadtest;

import ferry.client.AuthenticationException;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import ferry.protocol.scram.ClientFinalMessage;
import ferry.protocol.scram.ClientFirstMessage;
import ferry.protocol.scram.SaslPrep;
import ferry.protocol.scram.ScramMath;
import ferry.protocol.scram.ServerFinalMessage;
import ferry.protocol.scram.ServerFirstMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * SCRAM-SHA-256 login (docs/PROTOCOL.md "Login") for every load connection without paying
 * PBKDF2 per connection: {@link #derive} runs one blocking exchange, derives the user's
 * ClientKey/ServerKey from the salt and iteration count once (half a second at 600,000 rounds),
 * and each connection's {@link Exchange} then only computes HMACs over its own fresh nonces. The
 * server's salt for a user is stable, so a connection seeing another salt refuses to go on.
 *
 * <p>Thread safety: immutable and shared by the I/O threads; an {@link Exchange} belongs to one
 * connection's I/O thread.
 */
final class ScramLogin {
    static final String AUTH_START = "AUTH_START";
    static final String AUTH_CONTINUE = "AUTH_CONTINUE";
    static final String AUTH_FINISH = "AUTH_FINISH";
    static final String AUTH_OK = "AUTH_OK";
    static final String SCRAM = "scram";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 18;

    private final String user;
    private final byte[] salt;
    private final int iterations;
    private final byte[] clientKey;
    private final byte[] storedKey;
    private final byte[] serverKey;

    private ScramLogin(String user, byte[] salt, int iterations, byte[] salted) {
        this.user = user;
        this.salt = salt;
        this.iterations = iterations;
        this.clientKey = ScramMath.clientKey(salted);
        this.storedKey = ScramMath.storedKey(clientKey);
        this.serverKey = ScramMath.serverKey(salted);
    }

    /** The password: the first line of {@code file}. */
    static char[] readPassword(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new IOException("password file " + file + " is empty");
        }
        return lines.get(0).toCharArray();
    }

    /**
     * Logs {@code client} in as {@code user} and keeps what the load connections need.
     *
     * @throws AuthenticationException wrong password, or a server that cannot prove it knows the user
     */
    static ScramLogin derive(FerryClient client, String user, char[] password) throws IOException {
        char[] prepared = SaslPrep.prepare(password);
        try {
            ClientFirstMessage first = ClientFirstMessage.of(user, nonce());
            Header cont = client.call(Header.op(AUTH_START).put("mechanism", ScramMath.MECHANISM).put(SCRAM, first.text()));
            expect(cont, AUTH_CONTINUE);
            ServerFirstMessage sf = ServerFirstMessage.parse(cont.requireString(SCRAM));
            if (sf.iterations() < ScramMath.MIN_ITERATIONS || sf.iterations() > ScramMath.MAX_ITERATIONS) {
                throw new AuthenticationException("server asks for " + sf.iterations() + " PBKDF2 iterations; refusing");
            }
            byte[] salted = ScramMath.saltedPassword(prepared, sf.salt(), sf.iterations());
            ScramLogin login = new ScramLogin(user, sf.salt(), sf.iterations(), salted);
            Arrays.fill(salted, (byte) 0);
            Exchange x = login.newExchange(first);
            String fail = x.finalMessage(cont);
            if (fail != null) {
                throw new AuthenticationException(fail);
            }
            Header ok;
            try {
                ok = client.call(x.finishHeader());
            } catch (RemoteException e) {
                throw new AuthenticationException("login as " + user + " failed: " + e.getMessage());
            }
            fail = x.verify(ok);
            if (fail != null) {
                throw new AuthenticationException(fail);
            }
            return login;
        } catch (ProtocolException e) {
            throw new AuthenticationException("bad SCRAM message from the server: " + e.getMessage());
        } finally {
            Arrays.fill(prepared, '\0');
        }
    }

    private static void expect(Header h, String op) throws IOException {
        if (!op.equals(h.op())) {
            throw new AuthenticationException("login as expected " + op + ", got " + h.op() + ": " + h.getString("message", h.toString()));
        }
    }

    private static String nonce() {
        byte[] b = new byte[NONCE_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** A fresh exchange for one connection. */
    Exchange newExchange() {
        return newExchange(ClientFirstMessage.of(user, nonce()));
    }

    private Exchange newExchange(ClientFirstMessage first) {
        return new Exchange(first);
    }

    /**
     * One connection's login: {@link #startHeader()}, then {@link #answer} for AUTH_CONTINUE
     * (returns the AUTH_FINISH to send) and for AUTH_OK.
     *
     * <pre>
     * NEW --startHeader--> STARTED --answer(AUTH_CONTINUE)--> FINISHING --answer(AUTH_OK)--> DONE
     * </pre>
     */
    final class Exchange {
        private final ClientFirstMessage first;
        private boolean started;
        private boolean done;
        private Header finish;
        private byte[] expectedSignature;

        private Exchange(ClientFirstMessage first) {
            this.first = first;
        }

        boolean done() {
            return done;
        }

        Header startHeader() {
            started = true;
            return Header.op(AUTH_START).put("mechanism", ScramMath.MECHANISM).put(SCRAM, first.text());
        }

        /**
         * Handles the answer to the last login request: null when the login goes on (send
         * {@link #finishHeader()} if not {@link #done()}), else why it failed.
         */
        String answer(Header h) {
            if (!started) {
                return "login answer before AUTH_START";
            }
            return finish == null ? finalMessage(h) : verify(h);
        }

        Header finishHeader() {
            return finish;
        }

        private String finalMessage(Header cont) {
            if (!AUTH_CONTINUE.equals(cont.op())) {
                return "expected AUTH_CONTINUE, got " + cont.op();
            }
            try {
                ServerFirstMessage sf = ServerFirstMessage.parse(cont.requireString(SCRAM));
                if (!sf.nonce().startsWith(first.nonce()) || sf.nonce().length() == first.nonce().length()) {
                    return "server's nonce does not extend the client's";
                }
                if (!Arrays.equals(sf.salt(), salt) || sf.iterations() != iterations) {
                    return "server changed the user's salt or iteration count since the harness derived its keys";
                }
                String withoutProof = ClientFinalMessage.withoutProof(first.channelBinding(), sf.nonce());
                byte[] authMessage = ScramMath.authMessage(first.bare(), sf.text(), withoutProof);
                byte[] proof = ScramMath.clientProof(clientKey, storedKey, authMessage);
                expectedSignature = ScramMath.serverSignature(serverKey, authMessage);
                finish = Header.op(AUTH_FINISH).put(SCRAM, ClientFinalMessage.of(first.channelBinding(), sf.nonce(), proof).text());
                return null;
            } catch (ProtocolException e) {
                return "bad server-first-message: " + e.getMessage();
            }
        }

        private String verify(Header ok) {
            if (!AUTH_OK.equals(ok.op())) {
                return "expected AUTH_OK, got " + ok.op();
            }
            try {
                ServerFinalMessage sf = ServerFinalMessage.parse(ok.requireString(SCRAM));
                if (sf.error() != null || !MessageDigest.isEqual(sf.verifier(), expectedSignature)) {
                    return "the server could not prove it knows this user's verifier";
                }
            } catch (ProtocolException e) {
                return "bad server-final-message: " + e.getMessage();
            }
            done = true;
            return null;
        }
    }
}
