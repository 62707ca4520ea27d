package ferry.client;

import java.io.IOException;

/**
 * What to do with a server whose certificate is not in {@link KnownHosts} yet: ask the user (a
 * terminal), accept it ({@code --accept-new}, then it is remembered), or refuse (scripts without
 * a flag). Never called for a server whose fingerprint changed: that is always refused.
 */
@FunctionalInterface
public interface FirstContact {
    /** True to trust (and remember) {@code fingerprint} for {@code hostPort}. */
    boolean trust(String hostPort, String fingerprint) throws IOException;

    /** Refuses every new server; the error says how to trust it. */
    FirstContact REFUSE = (hostPort, fingerprint) -> false;

    /** Trusts every new server on first contact (then pins it), like ssh's {@code accept-new}. */
    FirstContact ACCEPT_NEW = (hostPort, fingerprint) -> true;
}
