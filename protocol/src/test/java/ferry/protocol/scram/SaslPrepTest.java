package ferry.protocol.scram;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** RFC 4013 section 3's examples, plus the ASCII fast path. */
class SaslPrepTest {
    @Test
    void rfc4013Examples() {
        assertEquals("IX", SaslPrep.prepare("I\u00ADX"), "soft hyphen mapped to nothing");
        assertEquals("user", SaslPrep.prepare("user"));
        assertEquals("USER", SaslPrep.prepare("USER"));
        assertEquals("a", SaslPrep.prepare("\u00AA"), "NFKC");
        assertEquals("IX", SaslPrep.prepare("\u2168"), "NFKC");
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepare("\u0007"), "prohibited control");
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepare("\u0627\u0031"), "bidi: RandAL must end too");
    }

    @Test
    void spacesAndCompositionAreNormalised() {
        assertEquals("a b", SaslPrep.prepare("a\u00A0b"), "no-break space is a space");
        assertEquals("\u00E9t\u00E9", SaslPrep.prepare("e\u0301te\u0301"), "decomposed accents compose");
        assertEquals("\u0627\u0628", SaslPrep.prepare("\u0627\u0628"), "all right-to-left is fine");
    }

    @Test
    void prohibitedCharactersAreRefusedWithoutEchoingThePassword() {
        for (String bad : new String[] {"zqk\u0000vw", "zqk\u007F", "zqk\uE000", "zqk\uFFFF", "zqk\u200E", "zqk\uDB40\uDC01", "\u00AD", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepare(bad), bad);
            assertFalse(e.getMessage().contains("zqk"), e.getMessage());
        }
    }

    @Test
    void asciiPasswordsAreCopiedUnchanged() {
        char[] in = "correct horse battery staple!".toCharArray();
        char[] out = SaslPrep.prepare(in);
        assertArrayEquals(in, out);
        assertNotSame(in, out);
    }
}
