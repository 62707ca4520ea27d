package ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.cli.remote.ClientTlsFlags;
import ferry.client.CredentialsResolver;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.TlsSettings;
import ferry.reactor.TlsTestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's TLS flags and ssh-style trust against a TLS server on loopback; serve's TLS set-up. */
class TlsCliTest {
    @TempDir
    Path home;
    private FerryServer server;
    private String where;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = new FerryServer(ServerConfig.builder().port(0)
                .tls(TlsTestKeys.settings(TlsSettings.Plaintext.NEVER)).build());
        server.start();
        where = "127.0.0.1:" + server.port();
        env.put("XDG_CONFIG_HOME", home.toString());
    }

    @AfterEach
    void stop() {
        server.stop(2, TimeUnit.SECONDS);
    }

    private Path knownHosts() {
        return home.resolve("ferry/known_hosts");
    }

    private CliRunner.Result ping(CredentialsResolver.Prompter terminal, String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "ping";
        args[1] = "-c";
        args[2] = "1";
        System.arraycopy(flags, 0, args, 3, flags.length);
        args[args.length - 1] = where;
        return CliRunner.run("", env, terminal, args);
    }

    private static CredentialsResolver.Prompter answering(String answer) {
        return new CredentialsResolver.Prompter() {
            @Override
            public String readLine(String prompt) {
                return answer;
            }

            @Override
            public char[] readPassword(String prompt) {
                throw new AssertionError("no password asked");
            }
        };
    }

    @Test
    void aPinnedFingerprintConnectsAndAWrongOneIsRefused() {
        CliRunner.Result ok = ping(null, "--fingerprint", TlsTestKeys.primary().fingerprint());
        assertEquals(Cli.EXIT_OK, ok.status(), ok.err());
        CliRunner.Result wrong = ping(null, "--fingerprint", TlsTestKeys.other().fingerprint());
        assertEquals(Cli.EXIT_FAILURE, wrong.status());
        assertTrue(wrong.err().contains("refusing to connect") && wrong.err().contains(TlsTestKeys.primary().fingerprint())
                && wrong.err().contains(TlsTestKeys.other().fingerprint()), wrong.err());
        assertFalse(Files.exists(knownHosts()), "pinning by flag remembers nothing");
    }

    @Test
    void aNewServerIsRefusedWithoutATerminalAndTheErrorSaysHow() {
        CliRunner.Result r = ping(null, "--tls");
        assertEquals(Cli.EXIT_FAILURE, r.status());
        assertTrue(r.err().contains("cannot be established") && r.err().contains(TlsTestKeys.primary().fingerprint())
                && r.err().contains("--accept-new"), r.err());
        assertFalse(Files.exists(knownHosts()));
    }

    @Test
    void aTerminalIsAskedOnceThenTheServerIsPinned() throws Exception {
        CliRunner.Result no = ping(answering("no"), "--tls");
        assertEquals(Cli.EXIT_FAILURE, no.status());
        CliRunner.Result yes = ping(answering("yes"), "--tls");
        assertEquals(Cli.EXIT_OK, yes.status(), yes.err());
        assertTrue(yes.err().contains(TlsTestKeys.primary().fingerprint()), "the prompt shows the fingerprint: " + yes.err());
        assertEquals(where + " " + TlsTestKeys.primary().fingerprint() + "\n", Files.readString(knownHosts()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(knownHosts())));
        CliRunner.Result again = ping(answering("never asked"), "--tls");
        assertEquals(Cli.EXIT_OK, again.status(), again.err());
        assertFalse(again.err().contains("can't be established"), again.err());
    }

    @Test
    void acceptNewRemembersAndAChangedCertificateIsRefusedLoudly() throws Exception {
        CliRunner.Result first = ping(null, "--tls", "--accept-new");
        assertEquals(Cli.EXIT_OK, first.status(), first.err());
        assertTrue(Files.readString(knownHosts()).contains(TlsTestKeys.primary().fingerprint()));

        Files.writeString(knownHosts(), where + " " + TlsTestKeys.other().fingerprint() + "\n");
        CliRunner.Result changed = ping(null, "--tls", "--accept-new");
        assertEquals(Cli.EXIT_FAILURE, changed.status());
        assertTrue(changed.err().contains("HAS CHANGED") && changed.err().contains(TlsTestKeys.primary().fingerprint())
                && changed.err().contains(TlsTestKeys.other().fingerprint()) && changed.err().contains("line 1 of "),
                changed.err());
    }

    @Test
    void infoShowsTheEncryption() {
        CliRunner.Result r = CliRunner.run("", env, "info", "--fingerprint", TlsTestKeys.primary().fingerprint(), where);
        assertEquals(Cli.EXIT_OK, r.status(), r.err());
        assertTrue(r.out().contains("encryption  TLSv1.3, certificate " + TlsTestKeys.primary().fingerprint()), r.out());
    }

    @Test
    void aPlaintextClientIsToldTheServerRequiresTls() {
        CliRunner.Result r = ping(null, "--no-tls");
        assertEquals(Cli.EXIT_FAILURE, r.status());
        assertTrue(r.err().contains("requires TLS"), r.err());
        env.put(ClientTlsFlags.ENV_TLS, "on");
        CliRunner.Result viaEnv = ping(null, "--fingerprint", TlsTestKeys.primary().fingerprint());
        assertEquals(Cli.EXIT_OK, viaEnv.status(), viaEnv.err());
    }
}
