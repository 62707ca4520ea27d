package ferry.services.auth;

import ferry.protocol.AuthProtocol;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.scram.ClientFinalMessage;
import ferry.protocol.scram.ClientFirstMessage;
import ferry.protocol.scram.ScramMath;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.Clock;
import ferry.reactor.FerryService;
import ferry.reactor.OpException;
import ferry.reactor.Right;
import ferry.reactor.ServerContext;
import ferry.reactor.ServerLog;
import ferry.reactor.Session;
import ferry.reactor.UserCounter;
import ferry.reactor.UserLimits;
import ferry.reactor.UserQuota;
import ferry.reactor.WorkerLane;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Login by SCRAM-SHA-256 (RFC 5802, RFC 7677) over two Ferry requests; see docs/PROTOCOL.md,
 * "Login (SCRAM-SHA-256)".
 *
 * <pre>
 * AUTH_START  {scram: client-first-message}  -> AUTH_CONTINUE {scram: server-first-message}
 * AUTH_FINISH {scram: client-final-message}  -> AUTH_OK {scram: server-final-message, user, rights, home}
 *                                            or ERROR unauthenticated (same for unknown user and wrong password)
 * </pre>
 *
 * <p>Per connection: one exchange at a time. While an AUTH_START or AUTH_FINISH of the connection
 * is unanswered (on a worker, or held back by the throttle) another AUTH_START is refused
 * ({@code bad_request}), so a connection has at most one guess pending; once AUTH_CONTINUE has
 * been sent, a new AUTH_START replaces the exchange waiting for its AUTH_FINISH. AUTH_FINISH
 * consumes the exchange (one proof per exchange, so a proof cannot be replayed, not even on its
 * own connection). After {@link AuthSettings#maxFailuresPerConnection()} failures the connection is
 * closed after the answer.
 *
 * <p>Throttling ({@link LoginThrottle}): the throttle fixes when the answer leaves <em>before</em>
 * the proof is judged, and a right answer waits exactly as long as a wrong one would; the success
 * is applied (login, the user's count forgotten) only when AUTH_OK leaves, and not at all if the
 * connection is gone by then. So nothing a client sees, on any connection, depends on whether a
 * guess still pending was right. Holding happens on a loop timer, never by blocking. An attempt
 * the throttle will not admit (its address's backlog is longer than any answer may be held) is
 * refused at once with {@code busy}, its proof not judged and not counted.
 *
 * <p>Where the work runs: AUTH_START goes to a worker (it may reload the user store from disk);
 * AUTH_FINISH runs on the loop (a few HMACs, microseconds); PBKDF2 never runs on the server at
 * login, only in the client and in {@code ferry user}.
 *
 * <p>Threading: install once into one server. Handlers run on loop threads; the shared throttle and
 * store view are thread-safe.
 */
public final class AuthService implements FerryService {
    public static final String FEATURE = AuthProtocol.FEATURE;
    /**
     * SCRAM-SHA-256-PLUS with tls-server-end-point binding, on a TLS server; offered on the TLS
     * connections of it (HELLO {@code channelBinding}).
     */
    public static final String FEATURE_PLUS = AuthProtocol.FEATURE_PLUS;
    public static final String OP_START = AuthProtocol.START;
    public static final String OP_FINISH = AuthProtocol.FINISH;
    public static final String REPLY_CONTINUE = AuthProtocol.CONTINUE;
    public static final String REPLY_OK = AuthProtocol.OK;
    /** The one message for every failed proof: unknown users must be indistinguishable. */
    public static final String FAILED_MESSAGE = "authentication failed: unknown user or wrong password";
    /** Random bytes in the server's nonce part (24 base64 characters). */
    public static final int SERVER_NONCE_BYTES = 18;

    /** Where server nonces come from; tests pin it to reproduce the RFC 7677 transcript. */
    @FunctionalInterface
    interface NonceSource {
        String next();
    }

    /** Per-connection login state, kept in the session. Loop thread only. */
    private static final class LoginState {
        /** Answered with AUTH_CONTINUE, waiting for its AUTH_FINISH. */
        ScramServerExchange pending;
        /** The AUTH_START or AUTH_FINISH of this connection whose answer has not left yet, or null. */
        String unanswered;
        int failures;
    }

    private static final Session.Key<LoginState> STATE = new Session.Key<>("auth.login");

    private final UserStore store;
    private final AuthSettings settings;
    private final NonceSource nonces;
    private final AtomicInteger heldAnswers = new AtomicInteger();
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final UserCounter sessions = new UserCounter();
    private ServerContext ctx;
    private ServerLog log;
    private Clock clock;
    private LoginThrottle throttle;
    private UserStoreReloader users;

    public AuthService(UserStore store) {
        this(store, AuthSettings.defaults());
    }

    public AuthService(UserStore store, AuthSettings settings) {
        this(store, settings, randomNonces(new SecureRandom()));
    }

    AuthService(UserStore store, AuthSettings settings, NonceSource nonces) {
        this.store = store;
        this.settings = settings;
        this.nonces = nonces;
    }

    static NonceSource randomNonces(SecureRandom random) {
        return () -> {
            byte[] b = new byte[SERVER_NONCE_BYTES];
            random.nextBytes(b);
            return Base64.getEncoder().encodeToString(b);
        };
    }

    /** Loads the user store (a too-open or malformed store fails here, before the server starts). */
    @Override
    public void install(ServerContext context) throws Exception {
        if (ctx != null) {
            throw new IllegalStateException("an AuthService is installed into one server only");
        }
        ctx = context;
        log = context.log();
        clock = context.config().clock();
        long handshakeMillis = context.config().handshakeTimeoutMillis();
        long holdLimit = settings.holdLimitMillis(handshakeMillis);
        if (holdLimit < settings.maxDelayMillis()) {
            log.warn("auth: failed logins are delayed at most " + holdLimit + " ms, not the " + settings.maxDelayMillis()
                    + " ms asked for: a held answer must arrive well within the " + handshakeMillis
                    + " ms handshake timeout; raise the handshake timeout for longer delays");
        }
        throttle = settings.newThrottle(holdLimit);
        users = new UserStoreReloader(store, log);
        Users initial = users.loadInitial();
        context.registerPublic(OP_START, this::start);
        context.registerPublic(OP_FINISH, this::finish);
        context.addFeature(FEATURE);
        if (context.config().tls() != null) {
            context.addFeature(FEATURE_PLUS);
        }
        log.info("auth: SCRAM-SHA-256 login, " + AuthPolicy.users(initial.size()) + " in " + store.file());
    }

    /** Failure answers being held back by the throttle right now. */
    public int heldAnswers() {
        return heldAnswers.get();
    }

    public long successfulLogins() {
        return successes.sum();
    }

    public long failedLogins() {
        return failures.sum();
    }

    /** The throttle, for stats and tests. */
    public LoginThrottle throttle() {
        return throttle;
    }

    // ---- AUTH_START --------------------------------------------------------------------------

    private BodySink start(Call call) throws Exception {
        Header req = call.request();
        rejectBody(call);
        Session session = call.session();
        refuseIfLoggedIn(session);
        LoginState state = state(session);
        if (state.unanswered != null) {
            throw OpException.badRequest("a login exchange is already pending on this connection (its " + state.unanswered
                    + " has not been answered yet): wait for that answer; one exchange at a time per connection");
        }
        ClientFirstMessage first = ClientFirstMessage.parse(req.requireString("scram"));
        byte[] cbData = bindingFor(req.optString("mechanism"), first, call.channelBinding());
        String nameProblem = UserNames.problem(first.username());
        if (nameProblem != null) {
            throw new OpException(first.username().length() > UserNames.MAX_CHARS ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST,
                    nameProblem);
        }
        state.pending = null;
        state.unanswered = OP_START;
        long startedNanos = clock.nanoTime();
        boolean submitted = ctx.workers(WorkerLane.LOGIN).submit(call,
                () -> new ScramServerExchange(first, users.current().lookup(first.username()), nonces.next(), startedNanos,
                        cbData),
                (exchange, error) -> {
                    state.unanswered = null;
                    if (call.isCancelled()) {
                        return;
                    }
                    if (error != null) {
                        call.fail(error);
                    } else {
                        state.pending = exchange;
                        call.reply(Header.reply(REPLY_CONTINUE, call.id()).put("scram", exchange.serverFirst()));
                    }
                });
        if (!submitted) {
            state.unanswered = null; // refused with busy: answered
        }
        return null;
    }

    /**
     * The channel binding data the exchange must see in {@code c=}, or null without binding.
     * Refuses a mechanism that does not match the GS2 header, binding without TLS, and a client
     * that says "y" (it thinks the server cannot bind) on a TLS connection, where the server can:
     * someone in between changed what it saw (RFC 5802 section 6).
     */
    private static byte[] bindingFor(String mechanism, ClientFirstMessage first, byte[] connection) throws OpException {
        boolean plus = ScramMath.MECHANISM_PLUS.equals(mechanism);
        if (mechanism != null && !plus && !mechanism.equals(ScramMath.MECHANISM)) {
            throw OpException.badRequest("unsupported mechanism \"" + mechanism + "\" (this server offers "
                    + ScramMath.MECHANISM + (connection != null ? " and " + ScramMath.MECHANISM_PLUS : "") + ")");
        }
        if (plus != first.bindsChannel() && mechanism != null) {
            throw OpException.badRequest(plus ? ScramMath.MECHANISM_PLUS + " needs the GS2 header " + ClientFirstMessage.PLUS_GS2_HEADER
                    : "channel binding (p=) goes with mechanism " + ScramMath.MECHANISM_PLUS);
        }
        if (first.bindsChannel() && connection == null) {
            throw OpException.badRequest("channel binding asked for on a connection without TLS: use " + ScramMath.MECHANISM);
        }
        if (first.gs2Header().startsWith("y") && connection != null) {
            throw OpException.badRequest("the client believes this server cannot bind the login to TLS, but it can on this"
                    + " connection: something between changed the server's HELLO; refusing the login");
        }
        return first.bindsChannel() ? connection : null;
    }

    // ---- AUTH_FINISH -------------------------------------------------------------------------

    private BodySink finish(Call call) throws Exception {
        Header req = call.request();
        rejectBody(call);
        Session session = call.session();
        LoginState state = session.get(STATE);
        ScramServerExchange exchange = takePendingExchange(session, state);
        long now = clock.nanoTime();
        if (now - exchange.startedNanos() > settings.exchangeTimeoutNanos()) {
            throw OpException.badRequest("login exchange expired: AUTH_FINISH must follow AUTH_START within "
                    + settings.exchangeTimeoutMillis() + " ms; start again");
        }
        ClientFinalMessage fin = ClientFinalMessage.parse(req.requireString("scram"));
        exchange.checkFinal(fin);
        String address = session.remoteHost();
        String user = exchange.username();
        // The throttle decides when the answer leaves before anyone knows whether the proof is right.
        LoginThrottle.Verdict verdict = throttle.attempt(user, address, now);
        if (!verdict.admitted()) {
            throw refusedUnjudged(call, user, address, verdict);
        }
        ScramServerExchange.Outcome outcome = exchange.verify(fin);
        long holdMillis = TimeUnit.NANOSECONDS.toMillis(verdict.holdNanos());
        String held = holdMillis > 0 ? "; answer held back " + holdMillis + " ms" : "";
        Runnable answer = outcome.success()
                ? successAnswer(call, exchange, outcome, verdict, held)
                : failureAnswer(call, state);
        sendAnswer(call, state, verdict, answer);
        if (!outcome.success()) {
            // Counted and logged once the answer's timer is set and counted as held: whoever sees
            // the failure (a test moving a fake clock) then sees the hold in place.
            reportFailure(call, state, exchange, verdict, held);
        }
        return null;
    }

    /**
     * The exchange this AUTH_FINISH completes, taken so that each AUTH_START allows one
     * AUTH_FINISH whatever happens next.
     *
     * @throws OpException when the session is logged in or has no exchange in progress
     */
    private ScramServerExchange takePendingExchange(Session session, LoginState state) throws OpException {
        ScramServerExchange exchange = state == null ? null : state.pending;
        if (state != null) {
            state.pending = null; // one AUTH_FINISH per AUTH_START, whatever happens next
        }
        refuseIfLoggedIn(session);
        if (exchange == null) {
            if (state != null && state.unanswered != null) {
                throw OpException.badRequest("this connection's " + state.unanswered + " has not been answered yet:"
                        + " wait for its answer (one exchange at a time per connection, one AUTH_FINISH per AUTH_START)");
            }
            throw OpException.badRequest("AUTH_FINISH without an AUTH_START in progress on this connection"
                    + " (each AUTH_START allows one AUTH_FINISH): send AUTH_START first");
        }
        return exchange;
    }

    /** The throttle refused to judge this attempt at all: logs why and returns the BUSY to throw. */
    private OpException refusedUnjudged(Call call, String user, String address, LoginThrottle.Verdict verdict) {
        long retryMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(verdict.retryAfterNanos() + 999_999));
        log.warn("auth: " + call.connectionName() + " login attempt for user \"" + user + "\" from " + address
                + " refused unjudged: " + verdict.addressFailures() + " failures from this address, and its next answer"
                + " would wait longer than the " + TimeUnit.NANOSECONDS.toMillis(throttle.maxDelayNanos())
                + " ms an answer may be held; retry in " + retryMillis + " ms");
        return new OpException(ErrorCode.BUSY, "too many failed logins from this address: this attempt was not"
                + " judged; try again in " + retryMillis + " ms");
    }

    /** The answer to a right proof: logs the session in when it leaves. Loop thread. */
    private Runnable successAnswer(Call call, ScramServerExchange exchange, ScramServerExchange.Outcome outcome,
            LoginThrottle.Verdict verdict, String held) {
        Session session = call.session();
        String address = session.remoteHost();
        String user = exchange.username();
        UserRecord record = exchange.record();
        log.debug("auth: " + call.connectionName() + " right proof for user \"" + user + "\" from " + address
                + "; counted as failure " + verdict.userFailures() + " for this user, " + verdict.addressFailures()
                + " from this address until its answer leaves" + held);
        return () -> {
            if (call.isCancelled()) {
                return; // nobody to tell: no login, and the counts stay as a failure left them
            }
            // Logged in only when the answer leaves: a request pipelined behind a throttled
            // AUTH_FINISH must not run with rights the client has not yet been granted.
            throttle.succeeded(user, address, clock.nanoTime());
            if (!takeSessionSlot(session, record)) {
                refuseOverSessionLimit(call, record);
                return;
            }
            successes.increment();
            session.login(record.name(), record.rights(), record.home());
            session.put(UserLimits.SESSION_KEY, record.limits());
            session.put(UserQuota.SESSION_KEY, record.quota()); // the file service enforces it
            log.info("auth: " + call.connectionName() + " " + session.remoteAddress() + " logged in as " + record.name()
                    + " (rights " + rightsText(record) + ", home /" + record.home() + ")");
            List<Object> rights = new ArrayList<>();
            for (Right r : record.rights()) {
                rights.add(r.wireName());
            }
            call.reply(Header.reply(REPLY_OK, call.id()).put("scram", outcome.serverFinal())
                    .put("user", record.name()).put("rights", rights).put("home", record.home()));
        };
    }

    /** The answer to a wrong proof (or an unknown user), counted now; it may close the connection. */
    private Runnable failureAnswer(Call call, LoginState state) {
        state.failures++;
        boolean closing = state.failures >= settings.maxFailuresPerConnection();
        int failuresHere = state.failures;
        return () -> {
            if (closing) {
                call.closeConnectionAfterReply();
            }
            call.fail(ErrorCode.UNAUTHENTICATED, closing
                    ? FAILED_MESSAGE + " (" + failuresHere + " failures: closing the connection)" : FAILED_MESSAGE);
        };
    }

    /** Counts and logs a failed proof (after {@link #failureAnswer} counted it on the connection). */
    private void reportFailure(Call call, LoginState state, ScramServerExchange exchange, LoginThrottle.Verdict verdict,
                               String held) {
        failures.increment();
        boolean closing = state.failures >= settings.maxFailuresPerConnection();
        long holdMillis = TimeUnit.NANOSECONDS.toMillis(verdict.holdNanos());
        log.log(holdMillis > 0 ? ServerLog.Level.WARN : ServerLog.Level.INFO,
                "auth: " + call.connectionName() + " login failed for user \"" + exchange.username() + "\" from "
                        + call.session().remoteHost()
                        + (exchange.userExists() ? " (wrong password)" : " (no such user)")
                        + "; failure " + verdict.userFailures() + " for this user, " + verdict.addressFailures()
                        + " from this address, " + state.failures + " on this connection" + held
                        + (closing ? "; closing the connection" : ""), null);
    }

    /** Sends {@code answer} now, or at the instant the throttle fixed when it holds answers back. */
    private void sendAnswer(Call call, LoginState state, LoginThrottle.Verdict verdict, Runnable answer) {
        if (verdict.holdNanos() <= 0) {
            answer.run();
            return;
        }
        state.unanswered = OP_FINISH;
        // At the instant the throttle fixed; counted as held only once the timer is set.
        call.loop().schedule(verdict.answerAtNanos() - clock.nanoTime(), () -> {
            heldAnswers.decrementAndGet();
            state.unanswered = null;
            answer.run();
        });
        heldAnswers.incrementAndGet();
    }

    /** Logged-in sessions per user right now, for stats and leak tests. */
    public UserCounter sessions() {
        return sessions;
    }

    /**
     * Counts the session against its user's cap, given back when the connection closes, whatever
     * closes it. Only ever after the proof was found right, so the cap's answer tells nothing to
     * whoever does not know the password. Loop thread.
     */
    private boolean takeSessionSlot(Session session, UserRecord record) {
        String name = record.name();
        if (!sessions.tryAcquire(name, UserLimits.effective(record.limits().maxSessions(), settings.maxSessionsPerUser()))) {
            return false;
        }
        session.onClose(() -> sessions.release(name));
        return true;
    }

    private void refuseOverSessionLimit(Call call, UserRecord record) {
        int limit = UserLimits.effective(record.limits().maxSessions(), settings.maxSessionsPerUser());
        log.warn("auth: " + call.connectionName() + " " + call.session().remoteAddress() + " login as " + record.name()
                + " refused: the user has " + limit + " sessions open, the most they may");
        call.fail(ErrorCode.TOO_MANY_SESSIONS, "user " + record.name() + " already has " + limit
                + " sessions open, the most they may hold at once; close one, or retry when one ends");
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static LoginState state(Session session) {
        LoginState s = session.get(STATE);
        if (s == null) {
            s = new LoginState();
            session.put(STATE, s);
        }
        return s;
    }

    private static void rejectBody(Call call) throws OpException {
        if (call.request().size() > 0) {
            throw OpException.badRequest(call.op() + " takes no body (got size " + call.request().size() + ")");
        }
    }

    /** A connection logs in once; the anonymous session of a server without login may log in as a user. */
    private static void refuseIfLoggedIn(Session session) throws OpException {
        if (session.isLoggedIn() && !Session.ANONYMOUS.equals(session.user())) {
            throw OpException.badRequest("already logged in as " + session.user()
                    + "; open a new connection to log in as another user");
        }
    }


    private static String rightsText(UserRecord user) {
        String r = Right.toList(user.rights());
        return r.isEmpty() ? "none" : r;
    }
}
