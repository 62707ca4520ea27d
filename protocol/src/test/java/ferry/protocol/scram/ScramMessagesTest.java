package ferry.protocol.scram;

import static org.junit.jupiter.api.Assertions.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.ProtocolException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramMessagesTest {
    private static final String PROOF = Base64.getEncoder().encodeToString(new byte[32]);

    private static void refused(String code, Executable parse) {
        ProtocolException e = assertThrows(ProtocolException.class, parse::run);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("SCRAM: "), e.getMessage());
    }

    @FunctionalInterface
    interface Executable {
        void run() throws Exception;
    }

    @Test
    void clientFirstParsesAndEscapesNames() throws Exception {
        ClientFirstMessage m = ClientFirstMessage.parse("n,,n=a=2Cb=3Dc,r=xyz,q=ext");
        assertEquals("a,b=c", m.username());
        assertEquals("xyz", m.nonce());
        assertEquals("n,,", m.gs2Header());
        assertEquals("n=a=2Cb=3Dc,r=xyz,q=ext", m.bare());
        assertEquals("biws", m.channelBinding());
        assertEquals("n,,n=a=2Cb=3Dc,r=n1", ClientFirstMessage.of("a,b=c", "n1").text());
        assertEquals("eSws", ClientFirstMessage.parse("y,,n=u,r=x").channelBinding());
    }

    @Test
    void clientFirstRefusesWhatFerryDoesNotSupportOrWhatIsMalformed() {
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("p=tls-unique,,n=u,r=x"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,a=admin,n=u,r=x"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,m=ext,n=u,r=x"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("x,,n=u,r=x"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,n=u"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,r=x,n=u"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,n=,r=x"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,n=a=41,r=x"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,n=u,r="));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,n=u,r=a b"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFirstMessage.parse("n,,n=u,r=x,7=bad"));
        refused(ErrorCode.TOO_LARGE, () -> ClientFirstMessage.parse("n,,n=u,r=" + "x".repeat(257)));
        refused(ErrorCode.TOO_LARGE, () -> ClientFirstMessage.parse("n,,n=" + "u".repeat(256) + ",r=x"));
        refused(ErrorCode.TOO_LARGE, () -> ClientFirstMessage.parse("n,,n=u,r=x,z=" + "y".repeat(1100)));
    }

    @Test
    void serverFirstParsesAndChecksItsFields() throws Exception {
        ServerFirstMessage m = ServerFirstMessage.parse("r=abc,s=QSXCR+Q6sek8bf92,i=4096");
        assertEquals("abc", m.nonce());
        assertEquals(4096, m.iterations());
        assertEquals(12, m.salt().length);
        refused(ErrorCode.BAD_REQUEST, () -> ServerFirstMessage.parse("r=abc,s=QSXCR+Q6sek8bf92,i=04096"));
        refused(ErrorCode.BAD_REQUEST, () -> ServerFirstMessage.parse("r=abc,s=QSXCR+Q6sek8bf92,i=-1"));
        refused(ErrorCode.BAD_REQUEST, () -> ServerFirstMessage.parse("r=abc,s=QSXCR+Q6sek8bf92,i=99999999999"));
        refused(ErrorCode.BAD_REQUEST, () -> ServerFirstMessage.parse("r=abc,s=!!,i=4096"));
        refused(ErrorCode.BAD_REQUEST, () -> ServerFirstMessage.parse("r=abc,s=,i=4096"));
        refused(ErrorCode.BAD_REQUEST, () -> ServerFirstMessage.parse("m=x,r=abc,s=QSXCR+Q6sek8bf92,i=4096"));
    }

    @Test
    void clientFinalNeedsTheProofLastAndThirtyTwoBytesOfIt() throws Exception {
        ClientFinalMessage m = ClientFinalMessage.parse("c=biws,r=abc,p=" + PROOF);
        assertEquals("c=biws,r=abc", m.withoutProof());
        assertEquals("c=biws,r=abc,p=" + PROOF, m.text());
        refused(ErrorCode.BAD_REQUEST, () -> ClientFinalMessage.parse("c=biws,r=abc"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFinalMessage.parse("c=biws,r=abc,p=AAAA"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFinalMessage.parse("c=biws,r=abc,p=%%%"));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFinalMessage.parse("r=abc,c=biws,p=" + PROOF));
        refused(ErrorCode.BAD_REQUEST, () -> ClientFinalMessage.parse("p=" + PROOF));
    }

    @Test
    void serverFinalCarriesAVerifierOrAnError() throws Exception {
        assertEquals(32, ServerFinalMessage.parse("v=" + PROOF).verifier().length);
        assertEquals("invalid-proof", ServerFinalMessage.parse("e=invalid-proof").error());
        refused(ErrorCode.BAD_REQUEST, () -> ServerFinalMessage.parse("v=AAAA"));
        refused(ErrorCode.BAD_REQUEST, () -> ServerFinalMessage.parse("x=1"));
    }
}
