package ferry.protocol.scram;

import ferry.protocol.ProtocolException;

/**
 * The server's first SCRAM message: {@code r=CLIENT_NONCE+SERVER_NONCE,s=SALT,i=ITERATIONS}.
 *
 * @param nonce      the combined nonce: the client's followed by the server's
 * @param salt       the user's salt
 * @param iterations the PBKDF2 iteration count
 * @param text       the message as sent (covered by the AuthMessage byte for byte)
 */
public record ServerFirstMessage(String nonce, byte[] salt, int iterations, String text) {
    public static ServerFirstMessage of(String combinedNonce, byte[] salt, int iterations) {
        String text = "r=" + combinedNonce + ",s=" + ScramSyntax.base64(salt) + ",i=" + iterations;
        return new ServerFirstMessage(combinedNonce, salt.clone(), iterations, text);
    }

    /** Parses a server-first-message (the client's side). Range checks of {@code i} are the client's. */
    public static ServerFirstMessage parse(String msg) throws ProtocolException {
        ScramSyntax.checkLength(msg, "server-first-message");
        String[] parts = msg.split(",", -1);
        if (parts[0].startsWith("m=")) {
            throw ScramSyntax.bad("mandatory extension (m=) is not supported");
        }
        if (parts.length < 3) {
            throw ScramSyntax.bad("server-first-message needs r=, s= and i=");
        }
        String nonce = ScramSyntax.attribute(parts[0], 'r', "nonce");
        ScramSyntax.checkNonce(nonce, 2 * ScramSyntax.MAX_NONCE_CHARS, "nonce");
        byte[] salt = ScramSyntax.base64(ScramSyntax.attribute(parts[1], 's', "salt"), "salt");
        if (salt.length == 0 || salt.length > ScramSyntax.MAX_SALT_BYTES) {
            throw ScramSyntax.bad("salt is " + salt.length + " bytes; expected 1 to " + ScramSyntax.MAX_SALT_BYTES);
        }
        String i = ScramSyntax.attribute(parts[2], 'i', "iteration count");
        if (i.isEmpty() || i.length() > 10 || !i.chars().allMatch(c -> c >= '0' && c <= '9') || i.charAt(0) == '0') {
            throw ScramSyntax.bad("iteration count \"" + ScramSyntax.printable(i) + "\" is not a positive integer");
        }
        long iterations = Long.parseLong(i);
        if (iterations > Integer.MAX_VALUE) {
            throw ScramSyntax.bad("iteration count " + iterations + " is out of range");
        }
        ScramSyntax.checkExtensions(parts, 3);
        return new ServerFirstMessage(nonce, salt, (int) iterations, msg);
    }
}
