package dev.revenuebridge.sandbox.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OAuth 2.0 client credentials token endpoint and the bearer tokens it issues. */
class ErpSandboxOAuthTest {

    private static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");
    private static ErpSandbox erp;
    private static KeyPair rsa;
    private static KeyPair otherRsa;
    private static KeyPair ec;
    private ErpTestClient client;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();
        otherRsa = generator.generateKeyPair();
        KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
        ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGenerator.generateKeyPair();
        erp = new ErpSandbox().start(0);
        erp.mapCertificate(ErpSandbox.CLIENT_ID, ErpSandbox.CERTIFICATE_ID, rsa.getPublic());
        erp.mapCertificate(ErpSandbox.CLIENT_ID, "rb-local-ec-certificate-id", ec.getPublic());
    }

    @AfterAll
    static void stop() {
        erp.close();
    }

    @BeforeEach
    void clean() {
        erp.reset();
        erp.faults().clear();
        erp.clock(Clock.fixed(NOW, ZoneOffset.UTC));
        client = new ErpTestClient(erp);
    }

    @Test
    void issuesAnAccessTokenForAGoodAssertionThatRecordCallsAcceptUntilItExpires() throws Exception {
        HttpResponse<String> response = tokenRequest(form(assertion(claims())));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = client.json.readTree(response.body());
        assertThat(body.path("expires_in").isTextual()).isTrue();
        assertThat(body.path("expires_in").asText()).isEqualTo("3600");
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        String token = body.path("access_token").asText();
        assertThat(token).hasSizeGreaterThan(20);
        assertThat(erp.tokensIssued()).isEqualTo(1);
        assertThat(erp.requestCount()).isZero();     // not a record request
        assertThat(erp.writeLog()).isEmpty();

        client.token = token;
        assertThat(client.send("GET", "/customer", null).statusCode()).isEqualTo(200);
        erp.advance(Duration.ofSeconds(3599));
        assertThat(client.send("GET", "/customer", null).statusCode()).isEqualTo(200);
        erp.advance(Duration.ofSeconds(1));
        JsonNode expired = client.error(client.send("GET", "/customer", null), 401);
        assertThat(expired.path("o:errorCode").asText()).isEqualTo("INVALID_LOGIN");
    }

    @Test
    void refusesAMadeUpBearerTokenAndTheOldStaticOne() throws Exception {
        for (String token : List.of("made-up-token", "erp-local-token")) {
            client.token = token;
            JsonNode detail = client.error(client.send("GET", "/customer", null), 401);
            assertThat(detail.path("o:errorCode").asText()).isEqualTo("INVALID_LOGIN");
        }
        client.token = null;
        assertThat(client.send("GET", "/customer", null).statusCode()).isEqualTo(401);
    }

    @Test
    void acceptsPs384Ps512Es256AndAnAudienceArray() throws Exception {
        for (String alg : List.of("PS384", "PS512")) {
            assertThat(tokenRequest(form(assertion(header(alg, ErpSandbox.CERTIFICATE_ID), claims(), rsa.getPrivate())))
                    .statusCode()).as(alg).isEqualTo(200);
        }
        assertThat(tokenRequest(form(assertion(header("ES256", "rb-local-ec-certificate-id"), claims(),
                ec.getPrivate()))).statusCode()).isEqualTo(200);
        Map<String, Object> claims = claims();
        claims.put("aud", List.of("https://other.example", audience()));
        claims.put("scope", "restlets,rest_webservices");
        assertThat(tokenRequest(form(assertion(claims))).statusCode()).isEqualTo(200);
        assertThat(erp.tokensIssued()).isEqualTo(4);
    }

    @Test
    void refusesBadRequestsWithRfc6749Codes() throws Exception {
        String good = assertion(claims());
        expect(tokenRequest("grant_type=client_credentials&client_assertion_type="
                + enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")), "invalid_request");
        expect(tokenRequest(form(good).replace("grant_type=client_credentials", "grant_type=password")),
                "unsupported_grant_type");
        expect(tokenRequest(form(good).replace(enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                "saml")), "invalid_request");
        expect(tokenRequest(form("not-a-jwt")), "invalid_request");
        expect(tokenRequest(form("a.b.c")), "invalid_request");
        expect(client.raw("POST", ErpSandbox.TOKEN_PATH, form(good), Map.of("Content-Type", "application/json")),
                "invalid_request");
        expect(tokenRequest(form(assertion(header("RS256", ErpSandbox.CERTIFICATE_ID), claims(), rsa.getPrivate()))),
                "invalid_request");
        Map<String, Object> typ = header("PS256", ErpSandbox.CERTIFICATE_ID);
        typ.put("typ", "JWS");
        expect(tokenRequest(form(assertion(typ, claims(), rsa.getPrivate()))), "invalid_request");
        assertThat(erp.tokensIssued()).isZero();
    }

    @Test
    void refusesUnknownCertificatesIssuersAndBadSignaturesAsInvalidClient() throws Exception {
        expect(tokenRequest(form(assertion(header("PS256", "no-such-certificate"), claims(), rsa.getPrivate()))),
                "invalid_client");
        Map<String, Object> iss = claims();
        iss.put("iss", "another-client");
        expect(tokenRequest(form(assertion(iss))), "invalid_client");
        expect(tokenRequest(form(assertion(header("PS256", ErpSandbox.CERTIFICATE_ID), claims(), otherRsa.getPrivate()))),
                "invalid_client");
        String good = assertion(claims());
        int at = good.lastIndexOf('.') + 10;
        String tampered = good.substring(0, at) + (good.charAt(at) == 'A' ? 'B' : 'A') + good.substring(at + 1);
        expect(tokenRequest(form(tampered)), "invalid_client");
    }

    @Test
    void refusesEachBadClaimAsInvalidGrant() throws Exception {
        long now = NOW.getEpochSecond();
        List<Map<String, Object>> bad = List.of(
                with("aud", "https://123456.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"),
                with("aud", List.of("https://other.example")),
                with("scope", "restlets,suite_analytics"),
                with("exp", now),                                  // expired (not after now)
                with("iat", now - 7200, "exp", now - 3600),        // expired
                with("iat", now - 100, "exp", now + 3600),         // exp - iat > 3600
                with("iat", now + 600, "exp", now + 900),          // iat more than 5 minutes ahead
                with("iat", now + 100, "exp", now + 50));          // exp before iat
        for (Map<String, Object> claims : bad) {
            expect(tokenRequest(form(assertion(claims))), "invalid_grant");
        }
        Map<String, Object> noIat = claims();
        noIat.remove("iat");
        expect(tokenRequest(form(assertion(noIat))), "invalid_request");
        assertThat(tokenRequest(form(assertion(with("iat", now + 120, "exp", now + 3000)))).statusCode())
                .isEqualTo(200); // within the allowed skew
    }

    @Test
    void tokenEndpointIsNotHeldByTheConcurrencyLimit() throws Exception {
        erp.concurrencyLimit(1).processingDelayMillis(500);
        client.login();
        var slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return client.send("GET", "/customer", null).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(150);
        assertThat(tokenRequest(form(assertion(claims()))).statusCode()).isEqualTo(200);
        assertThat(slow.join()).isEqualTo(200);
        assertThat(erp.throttledCount()).isZero();
    }

    // ---- helpers ----

    private void expect(HttpResponse<String> response, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode body = client.json.readTree(response.body());
        assertThat(body.path("error").asText()).as(response.body()).isEqualTo(code);
        assertThat(body.path("error_description").asText()).isNotBlank();
    }

    private HttpResponse<String> tokenRequest(String form) throws Exception {
        return client.raw("POST", ErpSandbox.TOKEN_PATH, form,
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
    }

    private static String form(String assertion) {
        return "grant_type=client_credentials&client_assertion_type="
                + enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion=" + enc(assertion);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String audience() {
        return erp.baseUrl() + ErpSandbox.TOKEN_PATH;
    }

    private Map<String, Object> claims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ErpSandbox.CLIENT_ID);
        claims.put("scope", "rest_webservices");
        claims.put("aud", audience());
        claims.put("iat", NOW.getEpochSecond());
        claims.put("exp", NOW.getEpochSecond() + 3600);
        return claims;
    }

    private Map<String, Object> with(Object... pairs) {
        Map<String, Object> claims = claims();
        for (int i = 0; i < pairs.length; i += 2) {
            claims.put((String) pairs[i], pairs[i + 1]);
        }
        return claims;
    }

    private static Map<String, Object> header(String alg, String kid) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", alg);
        header.put("kid", kid);
        return header;
    }

    private String assertion(Map<String, Object> claims) throws Exception {
        return assertion(header("PS256", ErpSandbox.CERTIFICATE_ID), claims, rsa.getPrivate());
    }

    /** A JWT signed with RSASSA-PSS (PS*, salt = hash length) or ECDSA in the JOSE r||s form (ES*). */
    private String assertion(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(client.json.writeValueAsBytes(header)) + "."
                + b64.encodeToString(client.json.writeValueAsBytes(claims));
        String alg = (String) header.get("alg");
        int bits = Integer.parseInt(alg.substring(2));
        Signature signer;
        if (alg.startsWith("ES")) {
            signer = Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
        } else {
            signer = Signature.getInstance("RSASSA-PSS");
            MGF1ParameterSpec mgf = bits == 256 ? MGF1ParameterSpec.SHA256
                    : bits == 384 ? MGF1ParameterSpec.SHA384 : MGF1ParameterSpec.SHA512;
            signer.setParameter(new PSSParameterSpec("SHA-" + bits, "MGF1", mgf, bits / 8, 1));
        }
        signer.initSign(key);
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(signer.sign());
    }
}
