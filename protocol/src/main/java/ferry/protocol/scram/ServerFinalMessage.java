package ferry.protocol.scram;

import ferry.protocol.ProtocolException;

/**
 * The server's final SCRAM message: {@code v=SERVER_SIGNATURE} (success) or {@code e=ERROR}.
 * Ferry reports failures with an {@code ERROR} frame instead, so its servers only send
 * {@code v=}; the parser accepts both for completeness.
 *
 * @param verifier the ServerSignature, or null when {@code error} is set
 * @param error    the {@code e=} value, or null
 */
public record ServerFinalMessage(byte[] verifier, String error) {
    public static ServerFinalMessage of(byte[] serverSignature) {
        return new ServerFinalMessage(serverSignature.clone(), null);
    }

    public String text() {
        return error != null ? "e=" + error : "v=" + ScramSyntax.base64(verifier);
    }

    public static ServerFinalMessage parse(String msg) throws ProtocolException {
        ScramSyntax.checkLength(msg, "server-final-message");
        String[] parts = msg.split(",", -1);
        if (parts[0].startsWith("e=")) {
            return new ServerFinalMessage(null, parts[0].substring(2));
        }
        byte[] v = ScramSyntax.base64(ScramSyntax.attribute(parts[0], 'v', "verifier"), "verifier");
        if (v.length != ScramMath.KEY_BYTES) {
            throw ScramSyntax.bad("verifier is " + v.length + " bytes; expected " + ScramMath.KEY_BYTES);
        }
        ScramSyntax.checkExtensions(parts, 1);
        return new ServerFinalMessage(v, null);
    }
}
