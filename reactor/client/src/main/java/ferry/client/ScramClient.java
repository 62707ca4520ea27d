package ferry.client;

import ferry.protocol.ProtocolException;
import ferry.protocol.scram.ClientFinalMessage;
import ferry.protocol.scram.ClientFirstMessage;
import ferry.protocol.scram.SaslPrep;
import ferry.protocol.scram.ScramMath;
import ferry.protocol.scram.ServerFinalMessage;
import ferry.protocol.scram.ServerFirstMessage;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The client's half of a SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), independent of sockets.
 *
 * <pre>
 * NEW --clientFirst()--> FIRST_SENT --clientFinal(serverFirst)--> FINAL_SENT
 *     --verifyServerFinal(serverFinal)--> DONE
 * any step that fails --> FAILED (the object cannot be reused)
 * </pre>
 *
 * <p>The password is SASLprep-normalised at construction and zeroed as soon as the salted password
 * is derived (in {@link #clientFinal}); the caller zeroes its own copy. {@link #clientFinal} runs
 * PBKDF2 with the server's iteration count (half a second at 600,000 rounds), within
 * [{@value ScramMath#MIN_ITERATIONS}, {@value ScramMath#MAX_ITERATIONS}].
 *
 * <p>Many logins as one user (a load generator's connections) need not each pay PBKDF2: a client
 * asked to {@link #keepKeys()} hands out the user's {@link Keys} after {@link #clientFinal}, and
 * {@link #ScramClient(String, Keys)} logs in with them, computing only HMACs.
 *
 * <p>Thread safety: one thread at a time.
 */
public final class ScramClient {
    /**
     * What PBKDF2 yields for a user at one salt and iteration count: enough to prove the password
     * and check the server, without the password. Secret like the password itself.
     */
    public record Keys(byte[] salt, int iterations, byte[] clientKey, byte[] serverKey) {}

    /** Random bytes in the client nonce (24 base64 characters). */
    public static final int NONCE_BYTES = 18;
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { NEW, FIRST_SENT, FINAL_SENT, DONE, FAILED }

    private ClientFirstMessage first;
    private byte[] cbData; // tls-server-end-point data when bound (SCRAM-SHA-256-PLUS), else null
    private char[] password;   // null when logging in with given keys
    private Keys keys;         // given, or derived and kept when keepKeys() was asked
    private boolean keepKeys;
    private Keys known;        // keys derived earlier from this password (a cache), used if the salt still matches
    private boolean derived;   // whether PBKDF2 ran
    private State state = State.NEW;
    private byte[] expectedServerSignature;

    /**
     * @throws IllegalArgumentException if SASLprep refuses the password (the message says why)
     */
    public ScramClient(String user, char[] password) {
        this(user, password, randomNonce());
    }

    /**
     * With a given client nonce: for reproducing published test vectors. Real logins use
     * {@link #ScramClient(String, char[])}, whose nonce is fresh from {@link SecureRandom}.
     */
    public ScramClient(String user, char[] password, String clientNonce) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("user name is empty");
        }
        this.password = SaslPrep.prepare(password);
        this.first = ClientFirstMessage.of(user, clientNonce);
    }

    /**
     * Logs in with keys derived before (see {@link #keepKeys()}); refuses a server whose salt or
     * iteration count for the user differs from theirs.
     */
    public ScramClient(String user, Keys keys) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("user name is empty");
        }
        this.keys = keys;
        this.first = ClientFirstMessage.of(user, randomNonce());
    }

    /**
     * Binds the proof to the TLS session whose server certificate hashes to {@code cbData}
     * ({@code ChannelBinding.tlsServerEndPoint}): SCRAM-SHA-256-PLUS. Before {@link #clientFirst}.
     */
    public ScramClient bindTo(byte[] cbData) {
        require(State.NEW, "bindTo");
        this.cbData = cbData.clone();
        this.first = ClientFirstMessage.bound(first.username(), first.nonce());
        return this;
    }

    /** The mechanism this exchange runs: SCRAM-SHA-256, or -PLUS after {@link #bindTo}. */
    public String mechanism() {
        return cbData != null ? ScramMath.MECHANISM_PLUS : ScramMath.MECHANISM;
    }

    /** Keeps the derived keys for {@link #keys()} instead of zeroing them. Before {@link #clientFinal}. */
    public ScramClient keepKeys() {
        require(State.NEW, "keepKeys");
        keepKeys = true;
        return this;
    }

    /**
     * Keys derived earlier from this very password (the caller made sure, e.g. a key cache that
     * checks the password): {@link #clientFinal} uses them instead of running PBKDF2 when the
     * server's salt and iteration count for the user are still theirs, and derives afresh
     * otherwise (the password changed on the server). Before {@link #clientFinal}; null is none.
     */
    public ScramClient knownKeys(Keys keys) {
        require(State.NEW, "knownKeys");
        if (password == null) {
            throw new IllegalStateException("knownKeys needs a password to fall back on");
        }
        known = keys;
        return this;
    }

    /** Whether {@link #clientFinal} ran PBKDF2 (false when it used given or known keys). */
    public boolean derivedKeys() {
        return derived;
    }

    /** The user's keys: given, or derived by {@link #clientFinal} after {@link #keepKeys()}; else null. */
    public Keys keys() {
        return keys;
    }

    private static String randomNonce() {
        byte[] b = new byte[NONCE_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** The client-first-message, e.g. {@code n,,n=user,r=rOprNGfwEbeRWgbNEkqO}. */
    public String clientFirst() {
        require(State.NEW, "clientFirst");
        state = State.FIRST_SENT;
        return first.text();
    }

    /**
     * Answers the server-first-message with the client-final-message (proof included).
     *
     * @throws ProtocolException the server's message is malformed
     * @throws AuthenticationException the server's nonce does not extend ours, or its iteration
     *     count is out of the accepted range
     */
    public String clientFinal(String serverFirstText) throws ProtocolException, AuthenticationException {
        require(State.FIRST_SENT, "clientFinal");
        state = State.FAILED;
        try {
            ServerFirstMessage sf = ServerFirstMessage.parse(serverFirstText);
            if (!sf.nonce().startsWith(first.nonce()) || sf.nonce().length() == first.nonce().length()) {
                throw new AuthenticationException("server's nonce does not extend the client's: not a valid SCRAM server");
            }
            if (sf.iterations() < ScramMath.MIN_ITERATIONS) {
                throw new AuthenticationException("server asks for " + sf.iterations() + " PBKDF2 iterations; refusing"
                        + " fewer than " + ScramMath.MIN_ITERATIONS + " (RFC 7677)");
            }
            if (sf.iterations() > ScramMath.MAX_ITERATIONS) {
                throw new AuthenticationException("server asks for " + sf.iterations() + " PBKDF2 iterations; refusing"
                        + " more than " + ScramMath.MAX_ITERATIONS);
            }
            boolean given = password == null;
            if (given && (!Arrays.equals(sf.salt(), keys.salt()) || sf.iterations() != keys.iterations())) {
                throw new AuthenticationException("the server's salt or iteration count for " + first.username()
                        + " changed since these keys were derived");
            }
            byte[] clientKey;
            byte[] serverKey;
            boolean useKnown = !given && known != null && Arrays.equals(sf.salt(), known.salt())
                    && sf.iterations() == known.iterations();
            if (given) {
                clientKey = keys.clientKey();
                serverKey = keys.serverKey();
            } else if (useKnown) {
                clientKey = known.clientKey().clone();
                serverKey = known.serverKey().clone();
            } else {
                byte[] salted = ScramMath.saltedPassword(password, sf.salt(), sf.iterations());
                derived = true;
                clientKey = ScramMath.clientKey(salted);
                serverKey = ScramMath.serverKey(salted);
                Arrays.fill(salted, (byte) 0);
            }
            String cb = cbData != null ? first.channelBinding(cbData) : first.channelBinding();
            String withoutProof = ClientFinalMessage.withoutProof(cb, sf.nonce());
            byte[] authMessage = ScramMath.authMessage(first.bare(), sf.text(), withoutProof);
            byte[] proof = ScramMath.clientProof(clientKey, ScramMath.storedKey(clientKey), authMessage);
            expectedServerSignature = ScramMath.serverSignature(serverKey, authMessage);
            if (keepKeys) {
                keys = new Keys(sf.salt(), sf.iterations(), clientKey, serverKey);
            } else if (!given) {
                Arrays.fill(clientKey, (byte) 0);
                Arrays.fill(serverKey, (byte) 0);
            }
            String text = ClientFinalMessage.of(cb, sf.nonce(), proof).text();
            state = State.FINAL_SENT;
            return text;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /**
     * Checks the server-final-message: the server must prove it knows the user's ServerKey.
     *
     * @throws AuthenticationException the signature is wrong or the server reported an error
     */
    public void verifyServerFinal(String serverFinalText) throws ProtocolException, AuthenticationException {
        require(State.FINAL_SENT, "verifyServerFinal");
        state = State.FAILED;
        ServerFinalMessage sf = ServerFinalMessage.parse(serverFinalText);
        if (sf.error() != null) {
            throw new AuthenticationException("server reported SCRAM error \"" + sf.error() + "\"");
        }
        if (!MessageDigest.isEqual(sf.verifier(), expectedServerSignature)) {
            throw new AuthenticationException("the server could not prove it knows this user's verifier (wrong server"
                    + " signature): it may be an impostor; not trusting this connection");
        }
        state = State.DONE;
    }

    /** Whether the server's signature was verified. */
    public boolean isDone() {
        return state == State.DONE;
    }

    private void require(State expected, String step) {
        if (state != expected) {
            throw new IllegalStateException(step + "() called in state " + state + " (expected " + expected + ")");
        }
    }
}
