package ferry.client;

import java.util.List;

/**
 * A successful login as the server reported it.
 *
 * @param user   the user now logged in
 * @param rights the user's rights, as wire names ("read", "write", "delete", "exec")
 * @param home   the root-relative folder the user is confined to; "" for the whole root
 */
public record LoginResult(String user, List<String> rights, String home) {
    public LoginResult {
        rights = List.copyOf(rights);
    }

    public boolean has(String right) {
        return rights.contains(right);
    }
}
