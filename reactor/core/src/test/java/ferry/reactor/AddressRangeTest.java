package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CIDR blocks for --trusted-proxies: literals only, no lookups, no silent typos. */
class AddressRangeTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void blocksContainTheirAddressesOnly() throws Exception {
        AddressRange r = AddressRange.parse("10.1.0.0/16");
        assertTrue(r.contains(ip("10.1.0.0")));
        assertTrue(r.contains(ip("10.1.255.255")));
        assertFalse(r.contains(ip("10.2.0.0")));
        AddressRange one = AddressRange.parse("192.0.2.7");
        assertTrue(one.contains(ip("192.0.2.7")));
        assertFalse(one.contains(ip("192.0.2.8")));
        AddressRange odd = AddressRange.parse("192.0.2.128/25");
        assertTrue(odd.contains(ip("192.0.2.200")));
        assertFalse(odd.contains(ip("192.0.2.127")));
        AddressRange v6 = AddressRange.parse("fd00::/8");
        assertTrue(v6.contains(ip("fd12:3456::1")));
        assertFalse(v6.contains(ip("fe80::1")));
        assertFalse(v6.contains(ip("10.0.0.1")), "families never mix");
        assertTrue(AddressRange.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
        assertEquals("10.1.0.0/16", r.toString());
    }

    @Test
    void namesTyposAndJunkAreRefused() {
        for (String bad : new String[] {"localhost", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10",
                "10.1", "010.0.0.0/8", "10.0.0.00", "fd00::/129", "::ffff:10.0.0.1", "", "1.2.3.4/8x", "fe80::1%eth0"}) {
            assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(bad), bad);
        }
        String m = assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.1/8")).getMessage();
        assertTrue(m.contains("did you mean 10.0.0.0/8"), m);
    }

    @Test
    void listsSplitOnCommas() {
        assertEquals(List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("192.0.2.7/32"), AddressRange.parse("::1")),
                AddressRange.parseList(List.of("10.0.0.0/8,192.0.2.7", "::1")));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parseList(List.of("10.0.0.0/8,,::1")));
    }
}
