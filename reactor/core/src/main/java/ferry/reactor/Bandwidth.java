package ferry.reactor;

/**
 * One connection's bandwidth limits: its own download and upload buckets
 * ({@link ServerConfig#maxDownloadRate()}, {@link ServerConfig#maxUploadRate()}) and the ones its
 * user shares with their other connections ({@link UserRates}), the user store's
 * {@link UserLimits} over the server's per-user defaults. Whichever has fewer bytes decides.
 *
 * <p>Uploads: when no byte may be read the connection pauses reading ({@link Connection#PAUSE_RATE})
 * and a loop timer resumes it once a chunk may be; a read never asks the socket for more than
 * may be read. Downloads: a flush writes at most what may be sent (a {@link FileRegion} then
 * passes that count to {@code transferTo}, so downloads stay zero-copy); with nothing to send a
 * loop timer flushes again once a chunk may be. Nothing ever sleeps.
 *
 * <p>Threading: owned by the connection's loop thread; the user's buckets are thread-safe.
 */
final class Bandwidth {
    /** A bucket holds this fraction of a second of its rate: short bursts, an even rate. */
    static final long BURST_DIVISOR = 10;
    /** ...but at least this many bytes, so slow limits do not make tiny reads. */
    static final long MIN_BURST_BYTES = 4096;
    /** A paused transfer waits until this fraction of the burst is there: few timers, even pacing. */
    static final long CHUNK_DIVISOR = 4;

    private final TokenBucket ownDown;
    private final TokenBucket ownUp;
    private final UserRates.Buckets user; // null: no per-user limit
    private final String userName;
    private final UserRates rates;
    private EventLoop.Timer readTimer;
    private EventLoop.Timer writeTimer;

    private Bandwidth(TokenBucket ownDown, TokenBucket ownUp, UserRates.Buckets user, String userName, UserRates rates) {
        this.ownDown = ownDown;
        this.ownUp = ownUp;
        this.user = user;
        this.userName = userName;
        this.rates = rates;
    }

    /** A bucket for {@code rate} bytes per second, or null for 0 (no limit). */
    static TokenBucket bucket(long rate, Clock clock) {
        if (rate <= 0) {
            return null;
        }
        long burst = Math.min(TokenBucket.MAX_BURST_BYTES, Math.max(MIN_BURST_BYTES, rate / BURST_DIVISOR));
        return new TokenBucket(rate, burst, clock);
    }

    /**
     * The limits of a connection whose session is now {@code session} (re-resolved when it logs in),
     * giving back {@code old}'s hold on its user's buckets; null when no limit applies. Loop thread.
     */
    static Bandwidth resolve(Bandwidth old, ServerConfig config, UserRates rates, Session session) {
        if (old != null) {
            old.release();
        }
        Clock clock = config.clock();
        TokenBucket down = bucket(config.maxDownloadRate(), clock);
        TokenBucket up = bucket(config.maxUploadRate(), clock);
        UserRates.Buckets shared = null;
        String name = session.isLoggedIn() ? session.user() : null;
        if (name != null) {
            UserLimits own = UserLimits.of(session);
            long userDown = UserLimits.effective(own.downloadRate(), config.maxDownloadRatePerUser());
            long userUp = UserLimits.effective(own.uploadRate(), config.maxUploadRatePerUser());
            if (userDown > 0 || userUp > 0) {
                shared = rates.acquire(name, userDown, userUp);
            }
        }
        if (down == null && up == null && shared == null) {
            return null;
        }
        return new Bandwidth(down, up, shared, shared == null ? null : name, rates);
    }

    /**
     * How many bytes the connection may read now; 0 after pausing it ({@link Connection#PAUSE_RATE})
     * with a timer that resumes it once a chunk may be read.
     */
    int readAllowance(Connection c, EventLoop loop) {
        TokenBucket user = this.user == null ? null : this.user.up();
        long n = allowance(ownUp, user);
        if (n > 0) {
            return (int) Math.min(Integer.MAX_VALUE, n);
        }
        c.pause(Connection.PAUSE_RATE);
        if (readTimer == null) {
            readTimer = loop.schedule(wait(ownUp, user), () -> {
                readTimer = null;
                c.resume(Connection.PAUSE_RATE);
            });
        }
        return 0;
    }

    /** Whether reading is limited at all (the connection's own limit or its user's). */
    boolean limitsUploads() {
        return ownUp != null || (user != null && user.up() != null);
    }

    void read(long n) {
        take(ownUp, user == null ? null : user.up(), n);
    }

    /**
     * How many of {@code budget} bytes the connection may write now; 0 after scheduling a flush
     * for when a chunk may be written.
     */
    long writeAllowance(Connection c, EventLoop loop, long budget) {
        TokenBucket user = this.user == null ? null : this.user.down();
        long n = Math.min(budget, allowance(ownDown, user));
        if (n > 0) {
            return n;
        }
        if (writeTimer == null) {
            writeTimer = loop.schedule(wait(ownDown, user), () -> {
                writeTimer = null;
                c.flushNow();
            });
        }
        return 0;
    }

    /** Whether output waits for the download limit (a flush is scheduled). */
    boolean writeWaiting() {
        return writeTimer != null;
    }

    void wrote(long n) {
        take(ownDown, user == null ? null : user.down(), n);
    }

    /** The connection closed (or logged in anew): timers cancelled, the user's buckets given back. */
    void release() {
        if (readTimer != null) {
            readTimer.cancel();
            readTimer = null;
        }
        if (writeTimer != null) {
            writeTimer.cancel();
            writeTimer = null;
        }
        if (userName != null) {
            rates.release(userName);
        }
    }

    private static long allowance(TokenBucket own, TokenBucket user) {
        long n = own == null ? Long.MAX_VALUE : own.available();
        return user == null || n == 0 ? n : Math.min(n, user.available());
    }

    private static void take(TokenBucket own, TokenBucket user, long n) {
        if (own != null) {
            own.take(n);
        }
        if (user != null) {
            user.take(n);
        }
    }

    /** Until a chunk may move through both buckets. */
    private static long wait(TokenBucket own, TokenBucket user) {
        long w = 0;
        for (TokenBucket b : new TokenBucket[] {own, user}) {
            if (b != null) {
                w = Math.max(w, b.nanosUntil(Math.max(1, burstOf(b) / CHUNK_DIVISOR)));
            }
        }
        return Math.max(1, w);
    }

    private static long burstOf(TokenBucket b) {
        return Math.min(TokenBucket.MAX_BURST_BYTES, Math.max(MIN_BURST_BYTES, b.bytesPerSecond() / BURST_DIVISOR));
    }
}
