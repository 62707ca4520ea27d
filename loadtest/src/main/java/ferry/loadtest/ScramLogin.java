package ferry.loadtest;

import ferry.client.AuthClient;
import ferry.client.AuthenticationException;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.client.ScramClient;
import ferry.protocol.Header;
import ferry.services.auth.AuthService;
import ferry.protocol.ProtocolException;
import ferry.protocol.scram.ScramMath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * SCRAM-SHA-256 login (docs/PROTOCOL.md "Login") for every load connection without paying
 * PBKDF2 per connection: {@link #derive} runs one blocking login through {@link AuthClient} and
 * keeps the user's keys ({@link ScramClient#keepKeys()}); each connection's {@link Exchange} then
 * drives its own {@link ScramClient} over those keys, computing HMACs over fresh nonces only. The
 * server's salt for a user is stable; a connection seeing another one refuses to go on.
 *
 * <p>Thread safety: immutable and shared by the I/O threads; an {@link Exchange} belongs to one
 * connection's I/O thread.
 */
final class ScramLogin {
    /** The header field that carries the SCRAM messages (docs/PROTOCOL.md, "Login"). */
    static final String SCRAM = "scram";

    private final String user;
    private final ScramClient.Keys keys;

    private ScramLogin(String user, ScramClient.Keys keys) {
        this.user = user;
        this.keys = keys;
    }

    /** The password: the first line of {@code file}. */
    static char[] readPassword(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new IOException("password file " + file + " is empty");
        }
        return lines.get(0).toCharArray();
    }

    /**
     * Logs {@code client} in as {@code user} and keeps what the load connections need.
     *
     * @throws AuthenticationException wrong password, or a server that cannot prove it knows the user
     */
    static ScramLogin derive(FerryClient client, String user, char[] password) throws IOException {
        ScramClient scram;
        try {
            scram = new ScramClient(user, password).keepKeys();
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("cannot use this password: " + e.getMessage());
        }
        try {
            new AuthClient(client).login(scram);
        } catch (RemoteException e) {
            throw new AuthenticationException("login as " + user + " failed: " + e.getMessage());
        } catch (ProtocolException e) {
            throw new AuthenticationException("bad SCRAM message from the server: " + e.getMessage());
        }
        return new ScramLogin(user, scram.keys());
    }

    /** A fresh exchange for one connection. */
    Exchange newExchange() {
        return new Exchange(new ScramClient(user, keys));
    }

    /**
     * One connection's login: {@link #startHeader()}, then {@link #answer} for AUTH_CONTINUE
     * (after which {@link #finishHeader()} is the AUTH_FINISH to send) and for AUTH_OK.
     *
     * <pre>
     * NEW --startHeader--> STARTED --answer(AUTH_CONTINUE)--> FINISHING --answer(AUTH_OK)--> DONE
     * </pre>
     */
    static final class Exchange {
        private final ScramClient scram;
        private boolean started;
        private Header finish;

        private Exchange(ScramClient scram) {
            this.scram = scram;
        }

        boolean done() {
            return scram.isDone();
        }

        Header startHeader() {
            started = true;
            return Header.op(AuthService.OP_START).put("mechanism", ScramMath.MECHANISM).put(SCRAM, scram.clientFirst());
        }

        /**
         * Handles the answer to the last login request: null when the login goes on (send
         * {@link #finishHeader()} if not {@link #done()}), else why it failed.
         */
        String answer(Header h) {
            if (!started) {
                return "login answer before AUTH_START";
            }
            String expected = finish == null ? AuthService.REPLY_CONTINUE : AuthService.REPLY_OK;
            if (!expected.equals(h.op())) {
                return "expected " + expected + ", got " + h.op();
            }
            try {
                if (finish == null) {
                    finish = Header.op(AuthService.OP_FINISH).put(SCRAM, scram.clientFinal(h.requireString(SCRAM)));
                } else {
                    scram.verifyServerFinal(h.requireString(SCRAM));
                }
                return null;
            } catch (ProtocolException | AuthenticationException e) {
                return e.getMessage();
            }
        }

        Header finishHeader() {
            return finish;
        }
    }
}
