package ferry.services.auth;

import static org.junit.jupiter.api.Assertions.*;

import ferry.client.AuthenticationException;
import ferry.client.ScramClient;
import ferry.protocol.scram.ClientFinalMessage;
import ferry.protocol.scram.ClientFirstMessage;
import ferry.protocol.scram.ScramMath;
import ferry.reactor.Right;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** RFC 7677 section 3's SCRAM-SHA-256 example pins the math on both sides. */
class ScramVectorTest {
    static final String USER = "user";
    static final String PASSWORD = "pencil";
    static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    static final int ITERATIONS = 4096;
    static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    static UserRecord vectorUser() {
        PasswordHasher.Keys k = PasswordHasher.derive(PASSWORD.toCharArray(), Base64.getDecoder().decode(SALT), ITERATIONS);
        return new UserRecord(USER, k.iterations(), k.salt(), k.storedKey(), k.serverKey(), EnumSet.of(Right.READ), "");
    }

    @Test
    void clientSideReproducesTheRfcTranscript() throws Exception {
        ScramClient c = new ScramClient(USER, PASSWORD.toCharArray(), CLIENT_NONCE);
        assertEquals(CLIENT_FIRST, c.clientFirst());
        assertEquals(CLIENT_FINAL, c.clientFinal(SERVER_FIRST));
        c.verifyServerFinal(SERVER_FINAL);
        assertTrue(c.isDone());
    }

    @Test
    void clientRejectsAWrongServerSignature() throws Exception {
        ScramClient c = new ScramClient(USER, PASSWORD.toCharArray(), CLIENT_NONCE);
        c.clientFirst();
        c.clientFinal(SERVER_FIRST);
        String forged = "v=" + Base64.getEncoder().encodeToString(new byte[32]);
        assertThrows(AuthenticationException.class, () -> c.verifyServerFinal(forged));
        assertFalse(c.isDone());
    }

    @Test
    void serverSideReproducesTheRfcTranscript() throws Exception {
        Users users = Users.empty(new SecureRandom()).with(vectorUser());
        ScramServerExchange ex = new ScramServerExchange(ClientFirstMessage.parse(CLIENT_FIRST), users.lookup(USER), SERVER_NONCE, 0, null);
        assertEquals(SERVER_FIRST, ex.serverFirst());
        ClientFinalMessage fin = ClientFinalMessage.parse(CLIENT_FINAL);
        ex.checkFinal(fin);
        ScramServerExchange.Outcome o = ex.verify(fin);
        assertTrue(o.success());
        assertEquals(SERVER_FINAL, o.serverFinal());
    }

    @Test
    void serverRejectsTheRfcProofForAnotherPasswordOrAnUnknownUser() throws Exception {
        PasswordHasher.Keys k = PasswordHasher.derive("pencil2".toCharArray(), Base64.getDecoder().decode(SALT), ITERATIONS);
        UserRecord other = new UserRecord(USER, ITERATIONS, k.salt(), k.storedKey(), k.serverKey(), EnumSet.of(Right.READ), "");
        Users users = Users.empty(new SecureRandom()).with(other);
        ScramServerExchange ex = new ScramServerExchange(ClientFirstMessage.parse(CLIENT_FIRST), users.lookup(USER), SERVER_NONCE, 0, null);
        assertFalse(ex.verify(ClientFinalMessage.parse(CLIENT_FINAL)).success());

        Users none = Users.empty(new SecureRandom());
        ScramServerExchange decoy = new ScramServerExchange(ClientFirstMessage.parse(CLIENT_FIRST), none.lookup(USER), SERVER_NONCE, 0, null);
        ScramServerExchange.Outcome o = decoy.verify(ClientFinalMessage.parse(CLIENT_FINAL));
        assertFalse(o.success());
        assertNull(o.serverFinal());
    }

    /** The JDK's PBKDF2 must encode passwords as UTF-8, as SCRAM requires: checked against RFC 2898 by hand. */
    @Test
    void jdkPbkdf2MatchesHiForNonAsciiPasswords() {
        char[] password = "p\u00e4ss\u20acw\u00f6rd".toCharArray();
        byte[] salt = "NaCl-salt".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(hi(new String(password).getBytes(StandardCharsets.UTF_8), salt, ITERATIONS),
                ScramMath.saltedPassword(password, salt, ITERATIONS));
    }

    /** Hi() as RFC 5802 writes it: U1 = HMAC(str, salt + INT(1)), Ui = HMAC(str, Ui-1), result = XOR of all. */
    private static byte[] hi(byte[] str, byte[] salt, int i) {
        byte[] first = new byte[salt.length + 4];
        System.arraycopy(salt, 0, first, 0, salt.length);
        first[first.length - 1] = 1;
        byte[] u = ScramMath.hmac(str, first);
        byte[] result = u.clone();
        for (int n = 1; n < i; n++) {
            u = ScramMath.hmac(str, u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }
}
