package ferry.services.auth;

import java.io.IOException;

/** The user store cannot be used: malformed, too open, unreadable. The message says what to do. */
public class UserStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    public UserStoreException(String message) {
        super(message);
    }

    public UserStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
