package ferry.cli.remote;

import ferry.cli.args.Units;
import ferry.client.LoginResult;
import ferry.protocol.Header;
import ferry.protocol.tls.Fingerprint;
import java.io.PrintStream;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * Prints what a server said in HELLO, one {@code name  value} line each, and who this connection
 * is (the login, if it made one), for {@code ferry info} and the shell's {@code info}. Fields it does not know (a newer server, a new service) are
 * printed too, as they came.
 */
public final class ServerInfo {
    private static final Set<String> SHOWN = Set.of("op", "id", "server", "version", "protocol", "features", "login",
            "user", "maxHeaderBytes", "channelBinding");

    private ServerInfo() {}

    public static void print(PrintStream out, RemoteClient rc) {
        Header h = rc.hello();
        row(out, "server", rc.serverDescription());
        row(out, "address", rc.remote().hostPort());
        row(out, "protocol", h.getString("protocol", "?"));
        row(out, "encryption", encryption(rc));
        List<String> features = rc.features();
        row(out, "features", features.isEmpty() ? "none" : String.join(", ", features));
        row(out, "login", h.getString("login", "?"));
        row(out, "user", user(rc));
        if (h.has("maxHeaderBytes")) {
            row(out, "max header", Units.formatSize(h.getLong("maxHeaderBytes", 0)));
        }
        for (int i = 0; i < h.fieldCount(); i++) {
            if (!SHOWN.contains(h.keyAt(i))) {
                Object v = h.valueAt(i);
                row(out, h.keyAt(i), v instanceof String s ? s : String.valueOf(v));
            }
        }
        row(out, "connected", "in " + Units.formatElapsed(rc.connectNanos()));
    }

    /** {@code TLSv1.3, certificate SHA256:...}, or {@code none} (plaintext). */
    static String encryption(RemoteClient rc) {
        X509Certificate cert = rc.client().serverCertificate();
        if (cert == null) {
            return "none (plaintext)";
        }
        return rc.client().tlsProtocol() + ", certificate " + Fingerprint.of(cert)
                + (rc.hello().has("channelBinding") ? ", login bound to it" : "");
    }

    /** {@code alice (rights read, write; home /alice)}, {@code anonymous}, or {@code (not logged in)}. */
    static String user(RemoteClient rc) {
        LoginResult login = rc.login();
        if (login != null) {
            return login.user() + " (rights " + ScramLogin.rights(login) + "; home /" + login.home() + ")";
        }
        String user = rc.user();
        if (user != null) {
            return user;
        }
        return rc.loginRequired() ? "(not logged in; name a user to log in: --user NAME or NAME@host)" : "(not logged in)";
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf("%-11s %s%n", name, value);
    }
}
