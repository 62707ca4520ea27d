package ferry.protocol;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class DigestAlgorithmTest {
    @Test
    void checkHexTakesAsciiHexOfTheRightLengthOnly() throws Exception {
        String hex = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";
        assertEquals(hex.toLowerCase(), DigestAlgorithm.SHA_256.checkHex(hex, "expect"));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> DigestAlgorithm.SHA_256.checkHex("0".repeat(63), "expect"));
        assertEquals(ProtocolException.BAD_REQUEST, e.code());
        // Digits of other scripts are digits to Character.digit, but no digest is written with them:
        // refused up front, not a digest_mismatch after the whole upload.
        for (String c : new String[] {"\u0663", "\uff11", "\uff41", "g", " "}) {
            String bad = "0".repeat(63) + c;
            e = assertThrows(ProtocolException.class, () -> DigestAlgorithm.SHA_256.checkHex(bad, "expect"), c);
            assertTrue(e.getMessage().contains("hex digits"), e.getMessage());
        }
    }
}
