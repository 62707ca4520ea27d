package ferry.reactor;

import ferry.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who is on a connection and what they may do, plus a typed attribute map where services keep
 * per-connection state (an auth exchange in progress, say).
 *
 * <p>A connection starts logged out when the server requires login, or logged in as
 * {@value #ANONYMOUS} with the server's anonymous rights when it does not.
 *
 * <p>Thread safety: owned by the connection's event loop thread.
 */
public final class Session {
    public static final String ANONYMOUS = "anonymous";

    /** A typed attribute name; compare by identity. */
    public static final class Key<T> {
        private final String name;

        public Key(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private String remoteAddress;
    private String user;
    private Set<Right> rights = Right.frozen(Collections.emptySet());
    private String home = "";
    private boolean loggedIn;
    private Map<Key<?>, Object> attributes;
    private List<Runnable> closeHooks;

    Session(String remoteAddress) {
        this.remoteAddress = remoteAddress;
    }

    /**
     * The client as {@code host:port}: the socket's peer, or behind a PROXY protocol load balancer
     * the client its header names (set before the connection's first request is read, so services
     * never see the proxy's address in its place).
     */
    public String remoteAddress() {
        return remoteAddress;
    }

    /**
     * The address part of {@link #remoteAddress()}, as per-address limits count it:
     * {@code "1.2.3.4:5678"} gives {@code "1.2.3.4"}, {@code "::1:5678"} gives {@code "::1"}.
     */
    public String remoteHost() {
        String a = remoteAddress;
        int colon = a.lastIndexOf(':');
        return colon > 0 ? a.substring(0, colon) : a;
    }

    /** The client a PROXY header named. Loop thread, before any request. */
    void remoteAddress(String hostAndPort) {
        this.remoteAddress = hostAndPort;
    }

    public boolean isLoggedIn() {
        return loggedIn;
    }

    /** The user name, or null before login. */
    public String user() {
        return user;
    }

    public Set<Right> rights() {
        return rights;
    }

    public boolean has(Right r) {
        return rights.contains(r);
    }

    /** Fails with {@code forbidden} unless the session has {@code r}. */
    public void require(Right r) throws OpException {
        if (!loggedIn) {
            throw new OpException(ErrorCode.UNAUTHENTICATED, "log in first");
        }
        if (!rights.contains(r)) {
            throw OpException.forbidden("user " + user + " lacks the " + r.wireName() + " right");
        }
    }

    /**
     * The folder, relative to the server root with '/' separators, that this user is confined to;
     * "" is the root itself.
     */
    public String home() {
        return home;
    }

    /** Marks the connection logged in. Loop thread only. */
    public void login(String user, Set<Right> rights, String home) {
        this.user = user;
        this.rights = Right.frozen(rights); // shared, not a copy per connection
        this.home = home == null ? "" : home;
        this.loggedIn = true;
    }

    /**
     * Runs {@code hook} once when the connection closes, whatever closes it (BYE, the peer, an
     * error, a timeout, an operator's drop, the server stopping): where a service gives back what
     * the session held (a per-user session slot). Loop thread; the hook runs on it too.
     */
    public void onClose(Runnable hook) {
        if (closeHooks == null) {
            closeHooks = new ArrayList<>(2);
        }
        closeHooks.add(Objects.requireNonNull(hook));
    }

    /** The connection closed: runs the close hooks, each once, logging any that fails. Loop thread. */
    void closed(ServerLog log, String connectionName) {
        List<Runnable> hooks = closeHooks;
        closeHooks = null;
        if (hooks == null) {
            return;
        }
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (RuntimeException e) {
                log.warn(connectionName + " close hook failed: " + e, e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        return attributes == null ? null : (T) attributes.get(key);
    }

    public <T> void put(Key<T> key, T value) {
        if (attributes == null) {
            attributes = new HashMap<>(4);
        }
        attributes.put(key, value);
    }

    public void remove(Key<?> key) {
        if (attributes != null) {
            attributes.remove(key);
        }
    }
}
