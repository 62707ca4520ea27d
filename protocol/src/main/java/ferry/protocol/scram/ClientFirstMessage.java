package ferry.protocol.scram;

import ferry.protocol.ProtocolException;
import ferry.protocol.tls.ChannelBinding;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The client's first SCRAM message: {@code n,,n=USER,r=CLIENT_NONCE}, or over TLS
 * {@code p=tls-server-end-point,,n=USER,r=CLIENT_NONCE} (SCRAM-SHA-256-PLUS: the proof is bound
 * to the server's certificate, see {@code ChannelBinding}). No other channel binding type and no
 * authorization identity ({@code a=}); a client that supports channel binding but sees a server
 * without it sends {@code y,,}, which a server that offers it refuses (a downgrade).
 *
 * @param gs2Header the GS2 header as sent ({@code "n,,"}, {@code "y,,"} or
 *                  {@code "p=tls-server-end-point,,"}), covered by {@code c=}
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

    /** The GS2 header of SCRAM-SHA-256-PLUS with tls-server-end-point binding. */
    public static final String PLUS_GS2_HEADER = "p=" + ChannelBinding.TLS_SERVER_END_POINT + ",,";

    /** The message a Ferry client sends over TLS: SCRAM-SHA-256-PLUS. */
    public static ClientFirstMessage bound(String username, String clientNonce) {
        String bare = "n=" + ScramSyntax.encodeName(username) + ",r=" + clientNonce;
        return new ClientFirstMessage(PLUS_GS2_HEADER, username, clientNonce, bare);
    }

    /** Whether the client asked for channel binding ({@code p=}). */
    public boolean bindsChannel() {
        return gs2Header.startsWith("p=");
    }

    /** What {@code c=} must carry with channel binding: base64 of the GS2 header then {@code cbData}. */
    public String channelBinding(byte[] cbData) {
        byte[] gs2 = gs2Header.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(gs2, gs2.length + cbData.length);
        System.arraycopy(cbData, 0, all, gs2.length, cbData.length);
        return ScramSyntax.base64(all);
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
        int flagEnd;
        if (msg.startsWith("p=")) {
            if (!msg.startsWith(PLUS_GS2_HEADER.substring(0, PLUS_GS2_HEADER.length() - 1))) {
                throw ScramSyntax.bad("unsupported channel binding type: only " + ChannelBinding.TLS_SERVER_END_POINT
                        + " (p=" + ChannelBinding.TLS_SERVER_END_POINT + ")");
            }
            flagEnd = PLUS_GS2_HEADER.length() - 2;
        } else if (msg.startsWith("n,") || msg.startsWith("y,")) {
            flagEnd = 1;
        } else {
            throw ScramSyntax.bad("client-first-message must start with the GS2 flag \"n,\" (or \"y,\", or"
                    + " \"p=tls-server-end-point,\")");
        }
        if (msg.length() <= flagEnd || msg.charAt(flagEnd) != ',') {
            throw ScramSyntax.bad("unsupported channel binding type: only " + ChannelBinding.TLS_SERVER_END_POINT);
        }
        int second = msg.indexOf(',', flagEnd + 1);
        if (second < 0) {
            throw ScramSyntax.bad("client-first-message has no GS2 header end");
        }
        if (second != flagEnd + 1) {
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
