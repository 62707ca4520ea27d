package ferry.loadtest;

import ferry.protocol.FileProtocol;
import ferry.protocol.Header;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.SplittableRandom;

/**
 * What one connection of the {@code get}, {@code put} and {@code mixed} scenarios does: a closed
 * loop of requests drawn from the run's {@link Mix} — GETs of the shared file, PUTs of this
 * connection's own file, PINGs — checking every answer.
 *
 * <ul>
 *   <li>GET: the answer must be {@code FILE} with a body of exactly the file's size; the body is
 *       drained in place from the I/O thread's read buffer (no copy, no allocation per chunk) and
 *       its bytes counted; one GET in {@link FileLoad#getVerifyEvery} also has its SHA-256
 *       checked. Wrong size: {@code wrong_size}; a body that ends early: {@code short_body}
 *       (counted by the connection); bytes that differ: {@code digest_mismatch}.</li>
 *   <li>PUT: the header, then the body streamed from the shared content block straight to the
 *       socket ({@link ClientConnection#offerBody}, no copy), continuing when the socket has room.
 *       The answer must be {@code OK} for the whole size (and, verified, the expected digest).</li>
 *   <li>PING: a PONG of the same size.</li>
 * </ul>
 *
 * <p>GET-only runs may keep {@code depth} requests in flight (pipelined GETs); with PUTs in the
 * mix there is one at a time, since a PUT's body must follow its own header.
 *
 * <p>Threading: the connection's I/O thread; no locks, no allocation per body chunk.
 */
final class FileScript implements ConnectionScript {
    /** Largest piece of a PUT body offered to the socket in one write. */
    static final int PUT_CHUNK_BYTES = 256 * 1024;

    private final FileLoad load;
    private final int depth;
    private final SplittableRandom random;
    private final Header getHeader;
    private final Header putHeader;
    private final ByteBuffer putView;
    private final MessageDigest digest;
    private final ScramLogin.Exchange login;
    private final byte[] digestOut;

    private OpKind current;            // kind of the oldest request in flight (all GET when depth > 1)
    private boolean badAnswer;
    private String badKind;
    private String badDetail;
    private long received;
    private boolean verifying;
    private long gets;
    private long putLeft;
    private long putOffset;
    private boolean answeredBeforeBodyEnd;
    private Header loginAnswer;

    FileScript(FileLoad load, int index, int depth) {
        this.load = load;
        this.depth = depth;
        this.random = new SplittableRandom(FileContent.SEED + index);
        this.getHeader = Header.op(FileProtocol.GET).put(FileProtocol.PATH, load.getPath());
        this.putHeader = load.putHeader(index);
        this.putView = FileContent.get().view();
        this.digest = FileContent.newDigest();
        this.digestOut = new byte[digest.getDigestLength()];
        this.login = load.login() == null ? null : load.login().newExchange();
    }

    @Override
    public void start(ClientConnection conn) {
        if (login != null) {
            conn.request(login.startHeader(), null); // the load starts once logged in
            return;
        }
        startLoad(conn);
    }

    private void startLoad(ClientConnection conn) {
        for (int i = conn.inflight(); i < depth && conn.issuing(); i++) {
            send(conn);
        }
    }

    private void send(ClientConnection conn) {
        current = load.mix().pick(random);
        switch (current) {
            case GET:
                conn.request(getHeader, null);
                break;
            case PUT:
                conn.request(putHeader, null); // size is in the header; the body follows
                putLeft = load.fileBytes();
                putOffset = 0;
                answeredBeforeBodyEnd = false;
                pump(conn);
                break;
            default:
                conn.sendPing(load.pingBytes());
                break;
        }
    }

    /** Offers PUT body to the socket until it is all sent or the socket is full. */
    private void pump(ClientConnection conn) {
        while (putLeft > 0 && !conn.isClosed()) {
            int off = (int) (putOffset % FileContent.BLOCK_BYTES);
            int n = (int) Math.min(putLeft, Math.min(PUT_CHUNK_BYTES, FileContent.BLOCK_BYTES - off));
            putView.clear().position(off).limit(off + n);
            boolean all = conn.offerBody(putView);
            int sent = n - putView.remaining();
            putOffset += sent;
            putLeft -= sent;
            if (!all) {
                return;
            }
        }
        if (putLeft == 0 && answeredBeforeBodyEnd) {
            answeredBeforeBodyEnd = false; // an early ERROR: the next request may go now
            next(conn);
        }
    }

    @Override
    public void onWritable(ClientConnection conn) {
        if (putLeft > 0) {
            pump(conn);
        }
    }

    @Override
    public void onHeader(ClientConnection conn, Header h) {
        badAnswer = false;
        received = 0;
        verifying = false;
        if (login != null && !login.done()) {
            loginAnswer = h; // judged at the frame's end (login answers have no body)
            return;
        }
        switch (current) {
            case GET:
                if (!FileProtocol.FILE.equals(h.op())) {
                    bad("unexpected_answer", "expected FILE, got " + h);
                } else if (h.size() != load.fileBytes() || h.getLong(FileProtocol.FILE_SIZE, -1) != load.fileBytes()) {
                    bad("wrong_size", "expected a FILE of " + load.fileBytes() + " bytes, got " + h);
                } else {
                    verifying = load.getVerifyEvery() > 0 && ++gets % load.getVerifyEvery() == 0;
                    if (verifying) {
                        digest.reset();
                    }
                }
                break;
            case PUT:
                if (!FileProtocol.OK.equals(h.op())) {
                    bad("unexpected_answer", "expected OK, got " + h);
                } else if (h.getLong(FileProtocol.FILE_SIZE, -1) != load.fileBytes()) {
                    bad("wrong_size", "PUT of " + load.fileBytes() + " bytes answered " + h);
                } else if (load.putVerify() && !load.digestHex().equals(h.getString(FileProtocol.DIGEST, null))) {
                    bad("digest_mismatch", "PUT stored digest " + h.getString(FileProtocol.DIGEST, null));
                }
                break;
            default:
                if (!PingScript.PONG.equals(h.op()) || h.size() != load.pingBytes()) {
                    bad("unexpected_answer", "expected PONG of " + load.pingBytes() + " bytes, got " + h);
                }
                break;
        }
    }

    private void bad(String kind, String detail) {
        badAnswer = true;
        badKind = kind;
        badDetail = detail;
    }

    @Override
    public void onBody(ClientConnection conn, ByteBuffer chunk) {
        received += chunk.remaining();
        if (verifying) {
            digest.update(chunk); // a direct buffer: the digest's own scratch array, no allocation
        } else {
            chunk.position(chunk.limit());
        }
    }

    @Override
    public void onFrameEnd(ClientConnection conn) {
        if (conn.isClosed()) {
            return;
        }
        if (login != null && !login.done()) {
            loginStep(conn);
            return;
        }
        if (badAnswer) {
            conn.failRequest(badKind, badDetail);
        } else if (current == OpKind.GET) {
            finishGet(conn);
        } else if (current == OpKind.PUT) {
            conn.complete(OpKind.PUT, load.fileBytes());
        } else {
            conn.complete(OpKind.PING, 2 * load.pingBytes());
        }
        next(conn);
    }

    private void finishGet(ClientConnection conn) {
        long size = load.fileBytes();
        if (received != size) {
            conn.failRequest(received < size ? "short_body" : "long_body", "GET body of " + received + " bytes, file is " + size);
            return;
        }
        if (verifying && !digestMatches()) {
            conn.failRequest("digest_mismatch", "GET body's SHA-256 differs from the file's");
            return;
        }
        conn.complete(OpKind.GET, size);
    }

    private boolean digestMatches() {
        try {
            digest.digest(digestOut, 0, digestOut.length);
        } catch (DigestException e) {
            return false;
        }
        return MessageDigest.isEqual(digestOut, load.digest());
    }

    @Override
    public void onFailed(ClientConnection conn, Header error) {
        if (login != null && !login.done()) {
            conn.failConnection("login_failed", error.getString("message", null));
            return;
        }
        if (putLeft > 0) {
            answeredBeforeBodyEnd = true; // the server refused the PUT early; it reads and drops the rest
            return;
        }
        next(conn);
    }

    private void loginStep(ClientConnection conn) {
        Header h = loginAnswer;
        loginAnswer = null;
        conn.forget();
        String failure = login.answer(h);
        if (failure != null) {
            conn.failConnection("login_failed", failure);
        } else if (login.done()) {
            startLoad(conn);
        } else {
            conn.request(login.finishHeader(), null);
        }
    }

    private void next(ClientConnection conn) {
        if (conn.issuing() && putLeft == 0) {
            send(conn);
        }
    }
}
