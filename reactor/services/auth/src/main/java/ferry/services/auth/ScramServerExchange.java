package ferry.services.auth;

import ferry.protocol.ErrorCode;
import ferry.protocol.ProtocolException;
import ferry.protocol.scram.ClientFinalMessage;
import ferry.protocol.scram.ClientFirstMessage;
import ferry.protocol.scram.ScramMath;
import ferry.protocol.scram.ServerFinalMessage;
import ferry.protocol.scram.ServerFirstMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The server's half of one SCRAM-SHA-256 conversation: made from the client-first-message and the
 * user's record (real or decoy), it produces the server-first-message and then judges the
 * client-final-message.
 *
 * <pre>
 * new (client-first, record, server nonce) --serverFirst()--> waiting for client-final
 *     --checkFinal() ok--> verify(): success (server-final "v=...") or failure
 * </pre>
 *
 * A decoy record runs exactly the same computation and fails at the very end, so an unknown user
 * costs the same time as a wrong password.
 *
 * <p>Thread safety: confined to one connection (its loop; built on a worker and handed over
 * through the loop's task queue).
 */
final class ScramServerExchange {
    /** How {@link #verify} ended. */
    record Outcome(boolean success, String serverFinal) {}

    private final ClientFirstMessage clientFirst;
    private final UserRecord record;
    private final boolean userExists;
    private final ServerFirstMessage serverFirst;
    private final long startedNanos;
    private final byte[] expectedChannelBinding;

    /**
     * @param cbData the connection's tls-server-end-point data when the client asked for channel
     *               binding (SCRAM-SHA-256-PLUS), else null
     */
    ScramServerExchange(ClientFirstMessage clientFirst, Users.Lookup lookup, String serverNonce, long startedNanos,
            byte[] cbData) {
        this.clientFirst = clientFirst;
        this.expectedChannelBinding = Base64.getDecoder().decode(
                cbData != null ? clientFirst.channelBinding(cbData) : clientFirst.channelBinding());
        this.record = lookup.record();
        this.userExists = lookup.exists();
        this.serverFirst = ServerFirstMessage.of(clientFirst.nonce() + serverNonce, record.salt(), record.iterations());
        this.startedNanos = startedNanos;
    }

    String username() {
        return clientFirst.username();
    }

    /** Whether the name is a real user (false: a decoy runs the exchange). For the server's log only. */
    boolean userExists() {
        return userExists;
    }

    /** The record the exchange runs with; only meaningful after a successful {@link #verify}. */
    UserRecord record() {
        return record;
    }

    long startedNanos() {
        return startedNanos;
    }

    String serverFirst() {
        return serverFirst.text();
    }

    /**
     * Protocol checks of the client-final-message: the channel binding must repeat the GS2 header
     * and the nonce must be this exchange's. Failing these is a malformed request, not a wrong
     * password (nothing was guessed), so it is {@code bad_request}.
     */
    void checkFinal(ClientFinalMessage fin) throws ProtocolException {
        byte[] cb;
        try {
            cb = Base64.getDecoder().decode(fin.channelBinding());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "SCRAM: channel binding (c=) is not valid base64");
        }
        if (clientFirst.bindsChannel() && !MessageDigest.isEqual(cb, expectedChannelBinding)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "SCRAM: channel binding (c=) is not for this TLS"
                    + " connection's server certificate: the client's TLS went to another certificate (a man in the middle?)");
        }
        if (!MessageDigest.isEqual(cb, expectedChannelBinding)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "SCRAM: channel binding (c=) does not repeat the GS2 header of AUTH_START (expected \""
                            + clientFirst.channelBinding() + "\")");
        }
        if (!fin.nonce().equals(serverFirst.nonce())) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "SCRAM: nonce (r=) is not the one this connection's AUTH_START answered with");
        }
    }

    /** Checks the proof. Same work for every input; fails for decoys at the end. */
    Outcome verify(ClientFinalMessage fin) {
        byte[] authMessage = ScramMath.authMessage(clientFirst.bare(), serverFirst.text(), fin.withoutProof());
        boolean proofOk = ScramMath.verifyClientProof(record.storedKey(), authMessage, fin.proof());
        byte[] serverSignature = ScramMath.serverSignature(record.serverKey(), authMessage);
        boolean ok = proofOk & userExists;
        return new Outcome(ok, ok ? ServerFinalMessage.of(serverSignature).text() : null);
    }
}
