package ferry.reactor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ConnectionClosedExceptionTest {
    @Test
    void saysWhyAndCarriesNoStackTrace() {
        ConnectionClosedException e = new ConnectionClosedException("idle 60 s");
        assertEquals("connection closed: idle 60 s", e.getMessage());
        assertEquals(0, e.getStackTrace().length, "made per close on the loop: no trace to fill");
    }
}
