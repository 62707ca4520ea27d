package ferry.cli.remote;

import static org.junit.jupiter.api.Assertions.*;

import ferry.reactor.ServerConfig;
import org.junit.jupiter.api.Test;

public class RemoteTest {
    private static final int P = ServerConfig.DEFAULT_PORT;

    private static void assertRemote(String text, String user, String host, int port, String path) {
        Remote r = Remote.parse(text);
        assertEquals(new Remote(user, host, port, path), r, text);
        assertEquals(r, Remote.parse(r.toString()), "canonical form round-trips: " + r);
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Remote.parse(text)).getMessage();
    }

    @Test
    void scpForms() {
        assertRemote("nas:/video/a.mp4", null, "nas", P, "/video/a.mp4");
        assertRemote("nas:video/a.mp4", null, "nas", P, "video/a.mp4");
        assertRemote("alice@nas:/a", "alice", "nas", P, "/a");
        assertRemote("alice@nas:7000:/a", "alice", "nas", 7000, "/a");
        assertRemote("nas:7000:a", null, "nas", 7000, "a");
        assertRemote("10.0.0.9:/x", null, "10.0.0.9", P, "/x");
        assertRemote("nas:", null, "nas", P, "");
        assertRemote("nas:7000:", null, "nas", 7000, "");
        assertRemote("my-host.example.org:/x y", null, "my-host.example.org", P, "/x y");
    }

    @Test
    void emptyHostIsLoopback() {
        assertRemote(":/a", null, "127.0.0.1", P, "/a");
        assertRemote(":7000:/a", null, "127.0.0.1", 7000, "/a");
        assertRemote("bob@:/a", "bob", "127.0.0.1", P, "/a");
    }

    @Test
    void userIsEverythingBeforeTheLastAtInFrontOfTheHost() {
        assertRemote("a@b.org@nas:/x", "a@b.org", "nas", P, "/x");
        assertRemote("nas:/mail/a@b.org", null, "nas", P, "/mail/a@b.org");
        assertTrue(error("@nas:/x").contains("empty user name"));
    }

    @Test
    void ipv6InBrackets() {
        assertRemote("[::1]:/x", null, "::1", P, "/x");
        assertRemote("[::1]:7373:/x", null, "::1", 7373, "/x");
        assertRemote("bob@[fe80::1%eth0]:9:/x", "bob", "fe80::1%eth0", 9, "/x");
        assertRemote("[2001:db8::1]:a", null, "2001:db8::1", P, "a");
        assertEquals("[::1]:7373", Remote.parse("[::1]:/x").hostPort());
        assertTrue(error("[::1:/x").contains("without ']'"));
        assertTrue(error("[nas]:/x").contains("not an IPv6 address"));
        assertTrue(error("[::1]x:/x").contains("needs ':' after ']'"));
    }

    @Test
    void digitsThenColonArePortDigitsAloneAreAFileName() {
        assertRemote("nas:2024", null, "nas", P, "2024");
        assertRemote("nas:2024:report.txt", null, "nas", 2024, "report.txt");
        assertRemote("nas:/2024:report.txt", null, "nas", P, "/2024:report.txt");
        assertTrue(error("nas:99999:/x").contains("invalid port '99999'"));
        assertTrue(error("nas:0:/x").contains("invalid port '0'"));
    }

    @Test
    void urlForm() {
        assertRemote("ferry://nas/video/a.mp4", null, "nas", P, "/video/a.mp4");
        assertRemote("ferry://alice@nas:7000/a", "alice", "nas", 7000, "/a");
        assertRemote("ferry://[::1]:7000/a", null, "::1", 7000, "/a");
        assertRemote("ferry://[::1]/a", null, "::1", P, "/a");
        assertRemote("ferry://nas", null, "nas", P, "");
        assertRemote("ferry:///a", null, "127.0.0.1", P, "/a");
        assertRemote("ferry://nas/my%20video%E2%9C%93.mp4", null, "nas", P, "/my video\u2713.mp4");
        assertRemote("ferry://a%40b.org@nas/x", "a@b.org", "nas", P, "/x");
        assertTrue(error("ferry://nas/%zz").contains("bad %-escape"));
        assertTrue(error("ferry://nas:http/x").contains("invalid port 'http'"));
    }

    @Test
    void localPathsAreRecognized() {
        for (String local : new String[] {"/abs/a:b", "./a:b", "../a:b", ".", "..", "file.txt", "dir/a:b",
                "~/notes:v2", ""}) {
            assertFalse(Remote.isRemote(local), local);
        }
        for (String remote : new String[] {"notes:v2.txt", "nas:/x", ":/x", "ferry://nas/x", "[::1]:/x",
                "a@b:/x", "C:/x"}) {
            assertTrue(Remote.isRemote(remote), remote);
        }
        assertTrue(error("./a:b").contains("is a local path"));
        assertTrue(error("file.txt").contains("is a local path"));
    }

    @Test
    void badHostsAreRefused() {
        assertTrue(error("na s:/x").contains("invalid host name 'na s'"));
        assertTrue(error("n!as:/x").contains("invalid host name"));
    }

    @Test
    void serverAddresses() {
        assertEquals(new Remote(null, "127.0.0.1", P, null), Remote.parseHost(""));
        assertEquals(new Remote(null, "nas", P, null), Remote.parseHost("nas"));
        assertEquals(new Remote(null, "nas", 7000, null), Remote.parseHost("nas:7000"), "digits alone: the port");
        assertEquals(new Remote("bob", "nas", 7000, null), Remote.parseHost("bob@nas:7000"));
        assertEquals(new Remote(null, "::1", P, null), Remote.parseHost("::1"), "a bare IPv6 address");
        assertEquals(new Remote(null, "fe80::1", P, null), Remote.parseHost("fe80::1"));
        assertEquals(new Remote(null, "::1", 9, null), Remote.parseHost("[::1]:9"));
        assertEquals(new Remote(null, "::1", P, null), Remote.parseHost("[::1]"));
        assertEquals(new Remote(null, "nas", 9, "/dir"), Remote.parseHost("nas:9:/dir"), "a full remote works too");
        assertEquals(new Remote(null, "nas", 9, ""), Remote.parseHost("ferry://nas:9"));
        assertEquals(new Remote(null, "127.0.0.1", 7000, null), Remote.parseHost(":7000"));
        assertEquals("nas:7000", Remote.parseHost("nas:7000").toString());
        assertEquals(Remote.parseHost("bob@[::1]:9"), Remote.parseHost(Remote.parseHost("bob@[::1]:9").toString()));
        assertThrows(IllegalArgumentException.class, () -> Remote.parseHost("nas:70000"));
    }

    @Test
    void serverPathIsRootRelative() {
        assertEquals("video/a.mp4", Remote.parse("nas:/video/a.mp4").serverPath());
        assertEquals("video/a.mp4", Remote.parse("nas:video/a.mp4").serverPath());
        assertEquals("a", Remote.parse("nas://a").serverPath());
        assertEquals("", Remote.parse("nas:/").serverPath());
        assertEquals("", Remote.parseHost("nas").serverPath());
        assertEquals("b", Remote.parse("nas:/a").withPath("/b").serverPath());
    }

    @Test
    void ipv6LiteralRecognition() {
        for (String ok : new String[] {"::", "::1", "1::", "fe80::1", "2001:db8:0:0:0:0:2:1", "1:2:3:4:5:6:7:8",
                "::ffff:192.0.2.1", "fe80::1%eth0"}) {
            assertTrue(Remote.isIpv6Literal(ok), ok);
        }
        for (String bad : new String[] {"1:2", "nas", "1:::2", "1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                "12345::1", "abc:123:", "::1%", "::ffff:300.0.0.1", "g::1"}) {
            assertFalse(Remote.isIpv6Literal(bad), bad);
        }
    }
}
