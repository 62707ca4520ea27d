package ferry.protocol.scram;

import ferry.protocol.ProtocolException;

/**
 * The client's final SCRAM message: {@code c=CHANNEL_BINDING,r=COMBINED_NONCE,p=PROOF}.
 *
 * @param channelBinding the {@code c=} value (base64 of the GS2 header: {@code biws} for "n,,")
 * @param nonce          the combined nonce, echoed from the server-first-message
 * @param proof          the 32-byte ClientProof
 * @param withoutProof   the message up to (not including) ",p=": covered by the AuthMessage
 */
public record ClientFinalMessage(String channelBinding, String nonce, byte[] proof, String withoutProof) {
    /** The message without its proof, from which the proof is computed. */
    public static String withoutProof(String channelBinding, String combinedNonce) {
        return "c=" + channelBinding + ",r=" + combinedNonce;
    }

    public static ClientFinalMessage of(String channelBinding, String combinedNonce, byte[] proof) {
        return new ClientFinalMessage(channelBinding, combinedNonce, proof.clone(), withoutProof(channelBinding, combinedNonce));
    }

    public String text() {
        return withoutProof + ",p=" + ScramSyntax.base64(proof);
    }

    /** Parses a client-final-message (the server's side). */
    public static ClientFinalMessage parse(String msg) throws ProtocolException {
        ScramSyntax.checkLength(msg, "client-final-message");
        int p = msg.lastIndexOf(",p=");
        if (p < 0) {
            throw ScramSyntax.bad("client-final-message must end with the proof (p=)");
        }
        String withoutProof = msg.substring(0, p);
        byte[] proof = ScramSyntax.base64(msg.substring(p + 3), "proof");
        if (proof.length != ScramMath.KEY_BYTES) {
            throw ScramSyntax.bad("proof is " + proof.length + " bytes; SCRAM-SHA-256 proofs are " + ScramMath.KEY_BYTES);
        }
        String[] parts = withoutProof.split(",", -1);
        if (parts.length < 2) {
            throw ScramSyntax.bad("client-final-message needs c=, r= and p=");
        }
        String cb = ScramSyntax.attribute(parts[0], 'c', "channel binding");
        String nonce = ScramSyntax.attribute(parts[1], 'r', "nonce");
        ScramSyntax.checkNonce(nonce, 2 * ScramSyntax.MAX_NONCE_CHARS, "nonce");
        ScramSyntax.checkExtensions(parts, 2);
        return new ClientFinalMessage(cb, nonce, proof, withoutProof);
    }
}
