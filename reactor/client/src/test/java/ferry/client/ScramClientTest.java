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

    /** Kept keys prove the same password without PBKDF2, and only for the salt they came from. */
    @Test
    void keptKeysLogInWithoutThePasswordForTheSameSaltOnly() throws Exception {
        ScramClient withPassword = new ScramClient("user", "pencil".toCharArray(), "clientnonce").keepKeys();
        withPassword.clientFirst();
        withPassword.clientFinal("r=clientnonceXYZ,s=QSXCR+Q6sek8bf92,i=4096");
        ScramClient.Keys keys = withPassword.keys();
        assertEquals(4096, keys.iterations());
        assertNull(new ScramClient("user", "pencil".toCharArray()).keys(), "keys are kept only when asked");

        ScramClient withKeys = new ScramClient("user", keys);
        String nonce = withKeys.clientFirst().substring("n,,n=user,r=".length());
        String proofWithKeys = withKeys.clientFinal("r=" + nonce + "XYZ,s=QSXCR+Q6sek8bf92,i=4096");
        ScramClient again = new ScramClient("user", "pencil".toCharArray(), nonce);
        again.clientFirst();
        assertEquals(again.clientFinal("r=" + nonce + "XYZ,s=QSXCR+Q6sek8bf92,i=4096"), proofWithKeys,
                "the same proof as from the password");

        ScramClient otherSalt = new ScramClient("user", keys);
        String n2 = otherSalt.clientFirst().substring("n,,n=user,r=".length());
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> otherSalt.clientFinal("r=" + n2 + "XYZ,s=AAAAAAAAAAAAAAAAAAAAAA==,i=4096"));
        assertTrue(e.getMessage().contains("changed since these keys were derived"), e.getMessage());
    }
}
