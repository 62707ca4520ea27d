package ferry.reactor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of one kind of thing (sessions, running commands) each user holds, with a limit per
 * user checked and taken in one atomic step, so two loops admitting the same user at once cannot
 * both slip under the limit. Entries go when they reach 0: the map holds only users holding
 * something, and a leak shows as {@link #users()} above 0 once everything ended.
 *
 * <p>Thread safety: every method is safe from any thread and never blocks for long (one
 * {@code compute} on the user's entry).
 */
public final class UserCounter {
    private final Map<String, Integer> held = new ConcurrentHashMap<>();

    /**
     * Takes one for {@code user} if they hold fewer than {@code limit}; {@code limit} 0 means no
     * per-user limit. False (nothing taken) when they are at it.
     */
    public boolean tryAcquire(String user, int limit) {
        boolean[] taken = {false};
        held.compute(user, (u, n) -> {
            int now = n == null ? 0 : n;
            if (limit > 0 && now >= limit) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives back one that {@link #tryAcquire} took for {@code user}. */
    public void release(String user) {
        held.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }

    /** What {@code user} holds now. */
    public int count(String user) {
        return held.getOrDefault(user, 0);
    }

    /** Users holding at least one now (0 once everything was released). */
    public int users() {
        return held.size();
    }
}
