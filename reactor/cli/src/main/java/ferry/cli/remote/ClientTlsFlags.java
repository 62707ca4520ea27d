package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.args.Option;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;

import ferry.client.ClientTls;
import ferry.client.FirstContact;
import ferry.client.KnownHosts;
import ferry.protocol.tls.Fingerprint;
import ferry.reactor.Loopback;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The client's encryption flags and the decision they lead to, secure by default: TLS to every
 * server that is not on this machine (loopback stays plaintext unless {@code --tls}), the server
 * trusted as ssh trusts hosts ({@link KnownHosts}): asked on a terminal at first contact, pinned
 * afterwards, refused loudly when it changes. {@code --fingerprint} pins one certificate,
 * {@code --accept-new} trusts a new server without asking, {@code --tls-ca} trusts a CA (host
 * name checked). {@code $FERRY_TLS} ({@code on}, {@code off}, {@code auto}) sets the default for
 * scripts; {@code --no-tls} (or {@code off}) connects in clear.
 *
 * <p>Thread safety: immutable after construction.
 */
public final class ClientTlsFlags {
    public static final String ENV_TLS = "FERRY_TLS";
    private static final String G_TLS = "encryption";

    final Option<Boolean> tls;
    final Option<String> fingerprint;
    final Option<Boolean> acceptNew;
    final Option<String> ca;

    ClientTlsFlags(Command command) {
        tls = command.option(Option.toggle("tls", false, "encrypt with TLS; --no-tls connects in clear ($" + ENV_TLS
                + "=on, off or auto sets the default)").defaultText("auto: on beyond loopback").group(G_TLS));
        fingerprint = command.option(Option.value("fingerprint", "SHA256:...", ValueType.text(), null,
                "trust exactly the server certificate with this fingerprint (ferry serve prints it)").group(G_TLS));
        acceptNew = command.option(Option.flag("accept-new", "trust a server seen for the first time without asking "
                + "(then remember it in ~/.config/ferry/known_hosts); a changed certificate is still refused").group(G_TLS));
        ca = command.option(Option.value("tls-ca", "FILE", ValueType.text(), null,
                "trust server certificates signed by the CA in FILE (PEM), for the host name connected to").group(G_TLS));
    }

    /**
     * How to connect to {@code host}: null for plaintext.
     *
     * @throws UsageException for contradicting flags or a malformed fingerprint
     */
    ClientTls decide(ParsedArgs args, String host, Console console) throws UsageException, CliException {
        boolean trustGiven = args.has(fingerprint) || args.has(ca) || args.get(acceptNew);
        Boolean explicit = args.has(tls) ? args.get(tls) : null;
        if (explicit == null) {
            String env = console.env(ENV_TLS);
            if (env != null && !env.isEmpty() && !env.equalsIgnoreCase("auto")) {
                explicit = switch (env.toLowerCase(Locale.ROOT)) {
                    case "on", "1", "true", "yes" -> true;
                    case "off", "0", "false", "no" -> false;
                    default -> throw new UsageException("$" + ENV_TLS + " is '" + env + "': expected on, off or auto");
                };
            }
        }
        boolean on = explicit != null ? explicit : trustGiven || !Loopback.isLoopbackHost(host);
        if (!on) {
            if (trustGiven && Boolean.FALSE.equals(explicit)) {
                throw new UsageException("--fingerprint, --accept-new and --tls-ca are for TLS: drop --no-tls");
            }
            return null;
        }
        if (args.has(fingerprint) && args.has(ca)) {
            throw new UsageException("give either --fingerprint or --tls-ca, not both");
        }
        if (args.has(fingerprint)) {
            try {
                return ClientTls.pinned(Fingerprint.parse(args.get(fingerprint)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--fingerprint: " + e.getMessage());
            }
        }
        if (args.has(ca)) {
            try {
                return ClientTls.ca(Path.of(args.get(ca)));
            } catch (IOException e) {
                throw new CliException("--tls-ca: " + ErrorMessages.oneLine(e.getMessage()), e);
            }
        }
        Map<String, String> env = console.environment();
        return ClientTls.knownHosts(KnownHosts.inDefaultPlace(env), firstContact(args.get(acceptNew), console));
    }

    private static FirstContact firstContact(boolean acceptNew, Console console) {
        if (acceptNew) {
            return FirstContact.ACCEPT_NEW;
        }
        return (hostPort, fp) -> {
            var prompter = console.prompter();
            if (prompter == null) {
                return false; // no one to ask: the error says how to trust it
            }
            console.err().println("The authenticity of " + hostPort + " can't be established.");
            console.err().println("Its TLS certificate fingerprint is " + fp + ".");
            console.err().flush();
            String answer = prompter.readLine("Trust it and remember it (yes/no)? ");
            return answer != null && answer.trim().equalsIgnoreCase("yes");
        };
    }
}
