package ferry.protocol.scram;

import ferry.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * The client's first SCRAM message: {@code n,,n=USER,r=CLIENT_NONCE}. Ferry supports neither
 * channel binding ({@code p=}) nor an authorization identity ({@code a=}); a client that supports
 * channel binding but sees a server without it sends {@code y,,} and is accepted.
 *
 * @param gs2Header the GS2 header as sent ({@code "n,,"} or {@code "y,,"}), covered by {@code c=}
 * @param username  the decoded user name
 * @param nonce     the client's nonce
 * @param bare      the message without the GS2 header: the part covered by the AuthMessage
 */
public record ClientFirstMessage(String gs2Header, String username, String nonce, String bare) {
    /** The message a Ferry client sends. */
    public static ClientFirstMessage of(String username, String clientNonce) {
        String bare = "n=" + ScramSyntax.encodeName(username) + ",r=" + clientNonce;
        return new ClientFirstMessage("n,,", username, clientNonce, bare);
    }

    /** The whole message text. */
    public String text() {
        return gs2Header + bare;
    }

    /** What the client-final {@code c=} must carry: base64 of the GS2 header. */
    public String channelBinding() {
        return ScramSyntax.base64(gs2Header.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses and validates a client-first-message. */
    public static ClientFirstMessage parse(String msg) throws ProtocolException {
        ScramSyntax.checkLength(msg, "client-first-message");
        if (msg.startsWith("p=")) {
            throw ScramSyntax.bad("channel binding (p=) is not supported: use SCRAM-SHA-256, not SCRAM-SHA-256-PLUS");
        }
        if (!msg.startsWith("n,") && !msg.startsWith("y,")) {
            throw ScramSyntax.bad("client-first-message must start with the GS2 flag \"n,\" (or \"y,\")");
        }
        int second = msg.indexOf(',', 2);
        if (second < 0) {
            throw ScramSyntax.bad("client-first-message has no GS2 header end");
        }
        if (second != 2) {
            throw ScramSyntax.bad("an authorization identity (a=) is not supported: leave it empty (\"n,,\")");
        }
        String gs2 = msg.substring(0, second + 1);
        String bare = msg.substring(second + 1);
        String[] parts = bare.split(",", -1);
        if (parts[0].startsWith("m=")) {
            throw ScramSyntax.bad("mandatory extension (m=) is not supported");
        }
        if (parts.length < 2) {
            throw ScramSyntax.bad("client-first-message needs n= and r=");
        }
        String user = ScramSyntax.decodeName(ScramSyntax.attribute(parts[0], 'n', "user name"));
        String nonce = ScramSyntax.attribute(parts[1], 'r', "client nonce");
        ScramSyntax.checkNonce(nonce, ScramSyntax.MAX_NONCE_CHARS, "client nonce");
        ScramSyntax.checkExtensions(parts, 2);
        return new ClientFirstMessage(gs2, user, nonce, bare);
    }
}
