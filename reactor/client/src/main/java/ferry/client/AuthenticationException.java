package ferry.client;

import java.io.IOException;

/**
 * A login could not be trusted on the client's side: the server failed to prove that it knows the
 * user's verifier (a wrong server signature: an impostor, or a store that does not match), or it
 * asked for something a careful client refuses (too few PBKDF2 iterations, a nonce that does not
 * extend ours). A refusal by the server arrives as {@link RemoteException} instead.
 */
public class AuthenticationException extends IOException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
