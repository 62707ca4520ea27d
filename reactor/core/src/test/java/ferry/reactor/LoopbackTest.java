package ferry.reactor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Literals only: a host name would be resolved, and tests do not ask DNS. */
class LoopbackTest {
    @Test
    void loopbackLiteralsOfBothFamilies() {
        assertTrue(Loopback.isLoopbackHost("127.0.0.1"));
        assertTrue(Loopback.isLoopbackHost("127.9.8.7"));
        assertTrue(Loopback.isLoopbackHost("::1"));
    }

    @Test
    void wildcardAndOtherAddressesAreNot() {
        assertFalse(Loopback.isLoopbackHost("0.0.0.0"));
        assertFalse(Loopback.isLoopbackHost("::"));
        assertFalse(Loopback.isLoopbackHost("192.0.2.1"));
        assertFalse(Loopback.isLoopbackHost("2001:db8::1"));
    }

    @Test
    void serverConfigUsesItAndAProxyMeansNotLocal() {
        assertTrue(ServerConfig.builder().bindAddress("127.0.0.1").build().isLoopbackOnly());
        assertFalse(ServerConfig.builder().bindAddress("0.0.0.0").loginRequired(true).build().isLoopbackOnly());
        assertFalse(ServerConfig.builder().bindAddress("127.0.0.1").loginRequired(true).proxyProtocol(true)
                .trustedProxies(List.of(AddressRange.parse("127.0.0.2"))).build().isLoopbackOnly());
    }
}
