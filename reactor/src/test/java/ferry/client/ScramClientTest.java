package ferry.client;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** What a careful client refuses from a server (the RFC vector itself is in ScramVectorTest). */
class ScramClientTest {
    private static ScramClient started() {
        ScramClient c = new ScramClient("user", "pencil".toCharArray(), "clientnonce");
        c.clientFirst();
        return c;
    }

    @Test
    void refusesANonceThatDoesNotExtendItsOwn() {
        assertThrows(AuthenticationException.class, () -> started().clientFinal("r=othernonce123,s=QSXCR+Q6sek8bf92,i=4096"));
        assertThrows(AuthenticationException.class, () -> started().clientFinal("r=clientnonce,s=QSXCR+Q6sek8bf92,i=4096"));
    }

    @Test
    void refusesTooFewOrTooManyIterations() {
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> started().clientFinal("r=clientnonceXYZ,s=QSXCR+Q6sek8bf92,i=1000"));
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
        assertThrows(AuthenticationException.class, () -> started().clientFinal("r=clientnonceXYZ,s=QSXCR+Q6sek8bf92,i=2000000000"));
    }

    @Test
    void stepsMustComeInOrderAndAreSingleUse() throws Exception {
        ScramClient c = new ScramClient("user", "pencil".toCharArray(), "clientnonce");
        assertThrows(IllegalStateException.class, () -> c.verifyServerFinal("v=AAAA"));
        c.clientFirst();
        assertThrows(IllegalStateException.class, c::clientFirst);
        c.clientFinal("r=clientnonceXYZ,s=QSXCR+Q6sek8bf92,i=4096");
        assertThrows(IllegalStateException.class, () -> c.clientFinal("r=clientnonceXYZ,s=QSXCR+Q6sek8bf92,i=4096"));
    }

    @Test
    void refusesPasswordsSaslPrepForbids() {
        assertThrows(IllegalArgumentException.class, () -> new ScramClient("user", "bad\u0000pw".toCharArray()));
    }
}
