package ferry.reactor.auth;

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
import ferry.reactor.WorkerLane;
import ferry.reactor.ServerLog;
import ferry.reactor.Session;
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
 * <p>Per connection: AUTH_START replaces any exchange in progress; AUTH_FINISH consumes it (one
 * proof per exchange, so a proof cannot be replayed, not even on its own connection). After
 * {@link AuthSettings#maxFailuresPerConnection()} failures the connection is closed after the
 * answer. Failures are throttled per user and per address ({@link LoginThrottle}) by holding the
 * answer back with a loop timer, never by blocking.
 *
 * <p>Where the work runs: AUTH_START goes to a worker (it may reload the user store from disk);
 * AUTH_FINISH runs on the loop (a few HMACs, microseconds); PBKDF2 never runs on the server at
 * login, only in the client and in {@code ferry user}.
 *
 * <p>Threading: install once into one server. Handlers run on loop threads; the shared throttle and
 * store view are thread-safe.
 */
public final class AuthService implements FerryService {
    public static final String FEATURE = "auth-scram-sha-256";
    public static final String OP_START = "AUTH_START";
    public static final String OP_FINISH = "AUTH_FINISH";
    public static final String REPLY_CONTINUE = "AUTH_CONTINUE";
    public static final String REPLY_OK = "AUTH_OK";
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
        long startSeq;
        ScramServerExchange pending;
        int failures;
    }

    private static final Session.Key<LoginState> STATE = new Session.Key<>("auth.login");

    private final UserStore store;
    private final AuthSettings settings;
    private final NonceSource nonces;
    private final AtomicInteger heldAnswers = new AtomicInteger();
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
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
        throttle = settings.newThrottle();
        users = new UserStoreReloader(store, log);
        Users initial = users.loadInitial();
        context.register(OP_START, this::start, true);
        context.register(OP_FINISH, this::finish, true);
        context.addFeature(FEATURE);
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
        String mechanism = req.optString("mechanism");
        if (mechanism != null && !mechanism.equals(ScramMath.MECHANISM)) {
            throw OpException.badRequest("unsupported mechanism \"" + mechanism + "\" (this server offers "
                    + ScramMath.MECHANISM + ")");
        }
        ClientFirstMessage first = ClientFirstMessage.parse(req.requireString("scram"));
        String nameProblem = UserNames.problem(first.username());
        if (nameProblem != null) {
            throw new OpException(first.username().length() > UserNames.MAX_CHARS ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST,
                    nameProblem);
        }
        LoginState state = state(session);
        long seq = ++state.startSeq;
        state.pending = null;
        long startedNanos = clock.nanoTime();
        ctx.workers(WorkerLane.LOGIN).submit(call,
                () -> new ScramServerExchange(first, users.current().lookup(first.username()), nonces.next(), startedNanos),
                (exchange, error) -> {
                    if (call.isCancelled()) {
                        return;
                    }
                    if (error != null) {
                        call.fail(error);
                    } else if (seq != state.startSeq) {
                        call.fail(ErrorCode.BAD_REQUEST, "superseded by a later AUTH_START on this connection");
                    } else {
                        state.pending = exchange;
                        call.reply(Header.reply(REPLY_CONTINUE, call.id()).put("scram", exchange.serverFirst()));
                    }
                });
        return null;
    }

    // ---- AUTH_FINISH -------------------------------------------------------------------------

    private BodySink finish(Call call) throws Exception {
        Header req = call.request();
        rejectBody(call);
        Session session = call.session();
        LoginState state = session.get(STATE);
        ScramServerExchange exchange = state == null ? null : state.pending;
        if (state != null) {
            state.pending = null; // one AUTH_FINISH per AUTH_START, whatever happens next
        }
        refuseIfLoggedIn(session);
        if (exchange == null) {
            throw OpException.badRequest("AUTH_FINISH without an AUTH_START in progress on this connection"
                    + " (each AUTH_START allows one AUTH_FINISH): send AUTH_START first");
        }
        long now = clock.nanoTime();
        if (now - exchange.startedNanos() > settings.exchangeTimeoutNanos()) {
            throw OpException.badRequest("login exchange expired: AUTH_FINISH must follow AUTH_START within "
                    + settings.exchangeTimeoutMillis() + " ms; start again");
        }
        ClientFinalMessage fin = ClientFinalMessage.parse(req.requireString("scram"));
        exchange.checkFinal(fin);
        ScramServerExchange.Outcome outcome = exchange.verify(fin);
        String address = hostOf(session.remoteAddress());
        LoginThrottle.Verdict verdict = throttle.attempt(exchange.username(), address, now, outcome.success());
        Runnable answer;
        if (outcome.success()) {
            successes.increment();
            UserRecord user = exchange.record();
            answer = () -> {
                if (call.isCancelled()) {
                    return;
                }
                // Logged in only when the answer leaves: a request pipelined behind a throttled
                // AUTH_FINISH must not run with rights the client has not yet been granted.
                session.login(user.name(), user.rights(), user.home());
                log.info("auth: " + call.connectionName() + " " + session.remoteAddress() + " logged in as " + user.name()
                        + " (rights " + rightsText(user) + ", home /" + user.home() + ")");
                List<Object> rights = new ArrayList<>();
                for (Right r : user.rights()) {
                    rights.add(r.wireName());
                }
                call.reply(Header.reply(REPLY_OK, call.id()).put("scram", outcome.serverFinal())
                        .put("user", user.name()).put("rights", rights).put("home", user.home()));
            };
        } else {
            failures.increment();
            state.failures++;
            boolean closing = state.failures >= settings.maxFailuresPerConnection();
            long delayMillis = TimeUnit.NANOSECONDS.toMillis(verdict.delayNanos());
            log.log(delayMillis > 0 ? ServerLog.Level.WARN : ServerLog.Level.INFO,
                    "auth: " + call.connectionName() + " login failed for user \"" + exchange.username() + "\" from " + address
                            + (exchange.userExists() ? " (wrong password)" : " (no such user)")
                            + "; failure " + verdict.userFailures() + " for this user, " + verdict.addressFailures()
                            + " from this address, " + state.failures + " on this connection"
                            + (delayMillis > 0 ? "; answer held back " + delayMillis + " ms" : "")
                            + (closing ? "; closing the connection" : ""), null);
            answer = () -> {
                if (closing) {
                    call.closeConnectionAfterReply();
                }
                call.fail(ErrorCode.UNAUTHENTICATED, closing
                        ? FAILED_MESSAGE + " (" + state.failures + " failures: closing the connection)" : FAILED_MESSAGE);
            };
        }
        long delay = verdict.answerAtNanos() - now;
        if (delay <= 0) {
            answer.run();
        } else {
            heldAnswers.incrementAndGet();
            call.loop().schedule(delay, () -> {
                heldAnswers.decrementAndGet();
                answer.run();
            });
        }
        return null;
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

    /** "1.2.3.4:5678" to "1.2.3.4", "::1:5678" to "::1". */
    static String hostOf(String remoteAddress) {
        int colon = remoteAddress.lastIndexOf(':');
        return colon > 0 ? remoteAddress.substring(0, colon) : remoteAddress;
    }

    private static String rightsText(UserRecord user) {
        String r = Right.toList(user.rights());
        return r.isEmpty() ? "none" : r;
    }
}
