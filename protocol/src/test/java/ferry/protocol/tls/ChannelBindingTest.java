package ferry.protocol.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * tls-server-end-point data pinned against openssl ({@code openssl x509 -outform DER | openssl
 * dgst -shaN -binary | base64}) for certificates signed with SHA-256, SHA-384, SHA-512 and SHA-1.
 */
class ChannelBindingTest {
    @ParameterizedTest
    @CsvSource({
        "cb-e256.pem, SHA256withECDSA, 8jHnVR1TZBEXULflQ5tgac9J+mbbmkKKfZxFBAWywYE=",
        "cb-e384.pem, SHA384withECDSA, okyXWo6dillV+XgFgGCmMst+5yfBhrE964diJIpebcxRjt5elht+eVXAP7dF1FMU",
        // SHA-1 signatures are bound with SHA-256 (RFC 5929 4.1)
        "cb-r1.pem, SHA1withRSA, yadShuJLVsivC2vC/kEKwcDIEIN74mduDYG8zyikFDk=",
        "cb-r512.pem, SHA512withRSA, L3q+ZrnDQdNKMZ1TINmkcBmmauhGGCx1x9pR1C5RhB/C3JFUWOkaJIdUfu0ykFs7twxk93OTYGLNevbCAfEopA==",
    })
    void endPointHashIsTheSignaturesHashWithSha1AsSha256(String file, String sigAlg, String expected) throws Exception {
        X509Certificate cert;
        try (InputStream in = getClass().getResourceAsStream(file)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertEquals(sigAlg, cert.getSigAlgName());
        assertEquals(expected, Base64.getEncoder().encodeToString(ChannelBinding.tlsServerEndPoint(cert)));
    }

    /** SCRAM-SHA-256-PLUS's c= for the SHA-256 certificate: base64 of the GS2 header then the hash. */
    @org.junit.jupiter.api.Test
    void plusGs2HeaderAndChannelBindingValue() throws Exception {
        ferry.protocol.scram.ClientFirstMessage first = ferry.protocol.scram.ClientFirstMessage.bound("user", "rOprNGfw");
        assertEquals("p=tls-server-end-point,,n=user,r=rOprNGfw", first.text());
        ferry.protocol.scram.ClientFirstMessage parsed = ferry.protocol.scram.ClientFirstMessage.parse(first.text());
        assertEquals(true, parsed.bindsChannel());
        assertEquals("n=user,r=rOprNGfw", parsed.bare());
        byte[] cb = Base64.getDecoder().decode("8jHnVR1TZBEXULflQ5tgac9J+mbbmkKKfZxFBAWywYE=");
        assertEquals("cD10bHMtc2VydmVyLWVuZC1wb2ludCws8jHnVR1TZBEXULflQ5tgac9J+mbbmkKKfZxFBAWywYE=", parsed.channelBinding(cb));
        for (String bad : new String[] {"p=tls-unique,,n=u,r=x", "p=tls-server-end-pointx,,n=u,r=x", "p=tls-server-end-point,a=b,n=u,r=x"}) {
            org.junit.jupiter.api.Assertions.assertThrows(ferry.protocol.ProtocolException.class,
                    () -> ferry.protocol.scram.ClientFirstMessage.parse(bad), bad);
        }
    }

    @ParameterizedTest
    @CsvSource({"MD5withRSA, SHA-256", "SHA1withECDSA, SHA-256", "SHA224withRSA, SHA-256", "Ed25519, SHA-256",
        "SHA3-384withECDSA, SHA3-384", "SHA384withRSA, SHA-384"})
    void hashNames(String sigAlg, String hash) {
        assertEquals(hash, ChannelBinding.hashOf(sigAlg));
    }
}
