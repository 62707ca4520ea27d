package ferry.multihost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.protocol.Header;
import ferry.protocol.Preamble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Ferry hosts on one Docker network, each running {@code ferry serve}: every host reaches
 * every other one by name, at the byte level (busybox nc, no JVM) and as a Ferry client; the test
 * JVM reaches each through its published port; and three clients on three machines use one server
 * at the same time.
 */
@MultiHost
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MultiHostIT {
    @RegisterExtension
    static final FerryHosts HOSTS = FerryHosts.servers("ferry-a", "ferry-b", "ferry-c");

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final ClientOptions CLIENT = ClientOptions.defaults().withReadTimeoutMillis(20_000);

    @Test
    void everyHostGetsTheFerryPreambleAndAByeByNameFromEveryOtherHost() throws Exception {
        // preamble, then one frame {"op":"BYE","id":1} (19 header bytes): the server answers and closes
        String script = "for t in ferry-a ferry-b ferry-c; do [ \"$t\" = \"$(hostname)\" ] && continue; "
                + "r=$(printf 'FERRY\\000\\001\\000\\000\\000\\000\\023{\"op\":\"BYE\",\"id\":1}' "
                + "| nc -w 10 \"$t\" 7373 | od -An -tx1 | tr -d ' \\n'); echo \"$t $r\"; done";
        for (FerryHost from : HOSTS.all()) {
            ExecResult r = from.execOk("sh", "-c", script);
            String[] lines = r.line().split("\n");
            assertEquals(2, lines.length, r::toString);
            for (String line : lines) {
                String[] parts = line.split(" ");
                assertEquals(2, parts.length, () -> from.name() + " got nothing back: " + r);
                byte[] reply = HexFormat.of().parseHex(parts[1]);
                assertArrayEquals(Preamble.bytes(), Arrays.copyOf(reply, Preamble.LENGTH),
                        () -> from.name() + " -> " + parts[0] + ": " + r);
                String rest = new String(reply, Preamble.LENGTH, reply.length - Preamble.LENGTH, StandardCharsets.UTF_8);
                assertTrue(rest.contains("\"op\":\"BYE\""), () -> from.name() + " -> " + parts[0] + " answered " + rest);
            }
        }
    }

    @Test
    void aFerryClientInsideEachHostReachesTheOthersByName() throws Exception {
        Pattern ok = Pattern.compile("^ok (ferry-[abc]):7373 server=ferry version=\\S+ peer=(\\S+)$", Pattern.MULTILINE);
        Map<String, String> addressOf = new HashMap<>();
        for (FerryHost from : HOSTS.all()) {
            String[] targets = HOSTS.all().stream().filter(h -> h != from).map(FerryHost::address).toArray(String[]::new);
            ExecResult r = from.tool(concat("ping", targets));
            assertEquals(0, r.exitCode(), r::toString);
            Matcher m = ok.matcher(r.stdout());
            int found = 0;
            while (m.find()) {
                found++;
                String previous = addressOf.putIfAbsent(m.group(1), m.group(2));
                if (previous != null) {
                    assertEquals(previous, m.group(2), "every host resolves " + m.group(1) + " to the same address");
                }
            }
            assertEquals(2, found, r::toString);
        }
        assertEquals(3, addressOf.size(), addressOf::toString);
        assertEquals(3, addressOf.values().stream().distinct().count(), () -> "three machines, three addresses: " + addressOf);
    }

    @Test
    void eachServerAnswersTheTestJvmOnItsPublishedPort() throws Exception {
        byte[] body = new byte[1024 * 1024];
        new SplittableRandom(7).nextBytes(body);
        for (FerryHost h : HOSTS.all()) {
            try (FerryClient c = h.connect(CLIENT)) {
                Header hello = c.hello();
                assertEquals("ferry", hello.getString("server", null), hello::toString);
                assertArrayEquals(body, c.ping(body), h.name());
                c.bye();
            }
        }
    }

    @Test
    void threeClientsOnThreeMachinesUseOneServerAtOnce() throws Exception {
        FerryHost server = HOSTS.get("ferry-a");
        int pings = 20;
        byte[] body = new byte[64 * 1024];
        new SplittableRandom(4).nextBytes(body);
        try (BackgroundExec fromB = HOSTS.get("ferry-b").startTool("hold", server.address(), "--pings", "" + pings, "--seed", "2");
             BackgroundExec fromC = HOSTS.get("ferry-c").startTool("hold", server.address(), "--pings", "" + pings, "--seed", "3");
             FerryClient fromTestJvm = server.connect(CLIENT)) {
            fromTestJvm.hello();
            fromB.awaitLine("^READY ", READY_TIMEOUT);
            fromC.awaitLine("^READY ", READY_TIMEOUT);
            // All three connections are open now; release them together.
            fromB.sendLine("go");
            fromC.sendLine("go");
            for (int i = 0; i < pings; i++) {
                assertArrayEquals(body, fromTestJvm.ping(body));
            }
            fromTestJvm.bye();
            for (BackgroundExec client : new BackgroundExec[] {fromB, fromC}) {
                ExecResult r = client.waitFor(READY_TIMEOUT);
                assertEquals(0, r.exitCode(), r::toString);
                assertTrue(r.stdout().contains("pong " + pings + "\nDONE"), r::toString);
            }
        }
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
