package ferry.client;

import ferry.protocol.ErrorCode;
import ferry.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileSystemException;
import java.util.Random;

/**
 * How a transfer that lost its connection tries again: how many times, and how long it waits
 * before each try. Immutable and thread-safe.
 *
 * <h2>Attempts</h2>
 * {@link #maxAttempts()} counts reconnections <em>since the transfer last made progress</em>:
 * a link that drops every few minutes but moves data in between never exhausts it (a 3 GB
 * video over a flaky office network), while a server that stays down ends the transfer after
 * that many tries. 0 turns retrying off.
 *
 * <h2>Waits</h2>
 * Exponential backoff with "equal jitter": the k-th consecutive wait is drawn uniformly from
 * {@code [w/2, w]} where {@code w = min(maxWait, initialWait * 2^(k-1))}. The doubling spares a
 * server that is restarting; the jitter keeps many clients cut by the same outage from all
 * coming back in the same millisecond. With the defaults the waits are about 0.5, 1, 2, 4, 8,
 * 16, 30, 30 s: a little over a minute and a half before giving up on a server that is gone.
 *
 * <h2>What is worth retrying</h2>
 * {@link #isRetryable} says yes for a lost or refused connection (reset, broken pipe, end of
 * stream, timeout, connection refused while a server restarts) and for the server's passing
 * refusals ({@code busy}, {@code server_full}, {@code shutting_down}, {@code timed_out}, and
 * {@code conflict}: after a cut the server may not yet have noticed that the upload's old
 * connection is gone). Everything else is final: the server said no ({@code not_found},
 * {@code forbidden}, ...), the local disk failed, the bytes did not match their digest, the
 * login was refused, the peer does not speak the protocol.
 *
 * @param maxAttempts        reconnections allowed since the last progress; 0: never retry
 * @param initialWaitMillis  the first wait (before jitter)
 * @param maxWaitMillis      the longest wait (before jitter)
 */
public record RetryPolicy(int maxAttempts, long initialWaitMillis, long maxWaitMillis) {
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final long DEFAULT_INITIAL_WAIT_MILLIS = 500;
    public static final long DEFAULT_MAX_WAIT_MILLIS = 30_000;
    /** Never retry: the first lost connection ends the transfer. */
    public static final RetryPolicy NONE = new RetryPolicy(0, 0, 0);

    public RetryPolicy {
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must not be negative: " + maxAttempts);
        }
        if (initialWaitMillis < 0 || maxWaitMillis < 0) {
            throw new IllegalArgumentException("waits must not be negative: " + initialWaitMillis + ", " + maxWaitMillis);
        }
        if (initialWaitMillis > maxWaitMillis) {
            throw new IllegalArgumentException("initialWaitMillis " + initialWaitMillis + " exceeds maxWaitMillis "
                    + maxWaitMillis);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_WAIT_MILLIS, DEFAULT_MAX_WAIT_MILLIS);
    }

    public RetryPolicy withMaxAttempts(int v) {
        return new RetryPolicy(v, initialWaitMillis, maxWaitMillis);
    }

    public RetryPolicy withWaits(long initialMillis, long maxMillis) {
        return new RetryPolicy(maxAttempts, initialMillis, maxMillis);
    }

    /** The wait before consecutive attempt {@code attempt} (1-based) without jitter: the doubling, capped. */
    public long baseWaitMillis(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1: " + attempt);
        }
        long w = initialWaitMillis;
        for (int i = 1; i < attempt && w < maxWaitMillis; i++) {
            w = w > maxWaitMillis / 2 ? maxWaitMillis : w * 2;
        }
        return Math.min(w, maxWaitMillis);
    }

    /** The wait before consecutive attempt {@code attempt}: uniform in [base/2, base]. */
    public long waitMillis(int attempt, Random random) {
        long base = baseWaitMillis(attempt);
        long half = base / 2;
        return base - half + (half == 0 ? 0 : (long) (random.nextDouble() * (half + 1)));
    }

    /** Whether a transfer that failed with {@code e} may reconnect and resume (see the class comment). */
    public static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriesExhaustedException) {
                return false; // a retry loop below us gave up already
            }
            if (t instanceof RemoteException r) {
                return switch (r.code()) {
                    case ErrorCode.BUSY, ErrorCode.SERVER_FULL, ErrorCode.SHUTTING_DOWN, ErrorCode.TIMED_OUT,
                            ErrorCode.CONFLICT -> true;
                    default -> false;
                };
            }
            if (t instanceof DigestMismatchException || t instanceof FileSystemException
                    || t instanceof ProtocolException || t instanceof AuthenticationException) {
                return false;
            }
            if (t instanceof ConnectionLostException || t instanceof SocketException || t instanceof EOFException
                    || t instanceof SocketTimeoutException || t instanceof ClosedChannelException
                    || t instanceof UnknownHostException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Whether {@code e} is worth a retry. Same as {@link #isRetryable(Throwable)}; here for readable call sites. */
    public boolean shouldRetry(IOException e) {
        return maxAttempts > 0 && isRetryable(e);
    }
}
