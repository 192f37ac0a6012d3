package dev.revenuebridge.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sandbox's sign-in as Salesforce documents it: the JWT bearer flow, the blocked password flow, session timeout. */
class SalesforceSandboxSignInTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static SalesforceSandbox org;
    static KeyPair connectedApp;
    static KeyPair stranger;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        connectedApp = generator.generateKeyPair();
        stranger = generator.generateKeyPair();
        org = new SalesforceSandbox().start(0, 0);
        org.mapCertificate(connectedApp.getPublic());
    }

    @AfterAll
    static void stop() {
        org.close();
    }

    @AfterEach
    void defaults() {
        org.passwordGrantEnabled(false);
        org.preAuthorize(SalesforceSandbox.USERNAME, true);
        org.sessionTimeout(Duration.ofHours(2));
    }

    @Test
    void aGoodAssertionGetsASessionWithTheIdUrlAndInstanceUrl() throws Exception {
        int grants = org.tokenGrants();
        HttpResponse<String> login = jwtLogin(claims(), connectedApp.getPrivate());
        assertThat(login.statusCode()).isEqualTo(200);
        Map<String, Object> body = JSON.readValue(login.body(), new TypeReference<>() {
        });
        assertThat(body.get("instance_url")).isEqualTo(org.baseUrl());
        assertThat((String) body.get("id")).isEqualTo(org.baseUrl() + "/id/" + SalesforceSandbox.ORG_ID + "/"
                + SalesforceSandbox.USER_ID);
        String token = (String) body.get("access_token");
        assertThat(org.sessionValid(token)).isTrue();
        assertThat(org.tokenGrants()).isEqualTo(grants + 1);
        assertThat(get("/services/data/v56.0/sobjects/Account/001Dn00000NoneAAA", token).statusCode()).isEqualTo(404);
    }

    @Test
    void anAssertionAsCamelSignsItIsAccepted() throws Exception {
        // camel-salesforce 4.17: header {"alg":"RS256"}, padded base64url, exp a numeric string 270 s ahead
        Map<String, Object> claims = claims();
        claims.put("exp", String.valueOf(Instant.now().getEpochSecond() + 270));
        assertThat(jwtLogin(claims, connectedApp.getPrivate()).statusCode()).isEqualTo(200);
    }

    @Test
    void aBadSignatureIsAnInvalidAssertion() throws Exception {
        assertRefused(jwtLogin(claims(), stranger.getPrivate()), "invalid_grant", "invalid assertion");
        String[] parts = assertion(claims(), connectedApp.getPrivate()).split("\\.");
        Map<String, Object> other = claims();
        other.put("sub", "someone.else@revenue-bridge.local");
        String tampered = parts[0] + "." + b64(JSON.writeValueAsBytes(other)) + "." + parts[2];
        assertRefused(postToken("grant_type=" + enc(SalesforceOAuth.JWT_BEARER) + "&assertion=" + tampered),
                "invalid_grant", "invalid assertion");
        assertRefused(postToken("grant_type=" + enc(SalesforceOAuth.JWT_BEARER) + "&assertion=not-a-jwt"),
                "invalid_grant", "invalid assertion");
    }

    @Test
    void theIssuerMustBeTheConsumerKey() throws Exception {
        Map<String, Object> claims = claims();
        claims.put("iss", "some-other-app");
        assertRefused(jwtLogin(claims, connectedApp.getPrivate()), "invalid_client_id", "client identifier invalid");
    }

    @Test
    void theSubjectMustBeAPreAuthorizedUser() throws Exception {
        Map<String, Object> claims = claims();
        claims.put("sub", "nobody@revenue-bridge.local");
        assertRefused(jwtLogin(claims, connectedApp.getPrivate()), "invalid_grant", "user hasn't approved this consumer");
        org.preAuthorize(SalesforceSandbox.USERNAME, false);
        assertRefused(jwtLogin(claims(), connectedApp.getPrivate()), "invalid_grant",
                "user hasn't approved this consumer");
    }

    @Test
    void theAudienceMustBeTheLoginUrl() throws Exception {
        Map<String, Object> claims = claims();
        claims.put("aud", "https://login.example.com");
        assertRefused(jwtLogin(claims, connectedApp.getPrivate()), "invalid_grant", "audience is invalid");
        claims.put("aud", org.baseUrl() + "/");
        assertThat(jwtLogin(claims, connectedApp.getPrivate()).statusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredAssertionIsRefused() throws Exception {
        Map<String, Object> claims = claims();
        claims.put("exp", Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond());
        assertRefused(jwtLogin(claims, connectedApp.getPrivate()), "invalid_grant", "expired authorization code");
        claims.remove("exp");
        assertRefused(jwtLogin(claims, connectedApp.getPrivate()), "invalid_grant", "invalid assertion");
    }

    @Test
    void anAssertionValidTooLongIsRefused() throws Exception {
        Map<String, Object> claims = claims();
        claims.put("exp", Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond());
        assertRefused(jwtLogin(claims, connectedApp.getPrivate()), "invalid_grant", "invalid assertion");
        // without the clock skew allowance, the documented 3 minutes is the limit
        org.clockSkew(Duration.ZERO);
        try {
            claims.put("exp", Instant.now().plus(Duration.ofSeconds(270)).getEpochSecond());
            assertRefused(jwtLogin(claims, connectedApp.getPrivate()), "invalid_grant", "invalid assertion");
            claims.put("exp", Instant.now().plus(Duration.ofSeconds(170)).getEpochSecond());
            assertThat(jwtLogin(claims, connectedApp.getPrivate()).statusCode()).isEqualTo(200);
        } finally {
            org.clockSkew(Duration.ofMinutes(2));
        }
    }

    @Test
    void thePasswordGrantIsRefusedUnlessSwitchedOn() throws Exception {
        String form = "grant_type=password&client_id=" + SalesforceSandbox.CLIENT_ID + "&client_secret="
                + SalesforceSandbox.CLIENT_SECRET + "&username=" + enc(SalesforceSandbox.USERNAME)
                + "&password=" + SalesforceSandbox.PASSWORD;
        assertRefused(postToken(form), "invalid_grant", "authentication failure");
        org.passwordGrantEnabled(true);
        assertThat(postToken(form).statusCode()).isEqualTo(200);
        assertRefused(postToken(form.replace(SalesforceSandbox.PASSWORD, "wrong")), "invalid_grant",
                "authentication failure");
    }

    @Test
    void unknownGrantsAreUnsupportedAndClientCredentialsNeedTheSecret() throws Exception {
        assertRefused(postToken("grant_type=refresh_token&refresh_token=x"), "unsupported_grant_type",
                "grant type not supported");
        assertRefused(postToken("grant_type=client_credentials&client_id=" + SalesforceSandbox.CLIENT_ID
                + "&client_secret=nope"), "invalid_client_id", "client identifier invalid");
        assertThat(postToken("grant_type=client_credentials&client_id=" + SalesforceSandbox.CLIENT_ID
                + "&client_secret=" + SalesforceSandbox.CLIENT_SECRET).statusCode()).isEqualTo(200);
    }

    @Test
    void aSessionTimesOutOnTheSandboxClockAndUseKeepsItAlive() throws Exception {
        String token = token(jwtLogin(claims(), connectedApp.getPrivate()));
        String path = "/services/data/v56.0/sobjects/Account/001Dn00000NoneAAA";
        org.advance(Duration.ofMinutes(90));
        assertThat(get(path, token).statusCode()).isEqualTo(404);       // in use: the timeout starts again
        org.advance(Duration.ofMinutes(90));
        assertThat(org.sessionValid(token)).isTrue();
        org.advance(Duration.ofMinutes(31));
        assertThat(org.sessionValid(token)).isFalse();
        HttpResponse<String> expired = get(path, token);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(expired.body()).get(0).get("errorCode").asText()).isEqualTo("INVALID_SESSION_ID");
        assertThat(JSON.readTree(expired.body()).get(0).get("message").asText()).isEqualTo("Session expired or invalid");
        // the clients' clock did not move: a new assertion signed now still signs in
        String again = token(jwtLogin(claims(), connectedApp.getPrivate()));
        assertThat(get(path, again).statusCode()).isEqualTo(404);
    }

    @Test
    void aRevokedSessionIsInvalid() throws Exception {
        String token = token(jwtLogin(claims(), connectedApp.getPrivate()));
        HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/services/oauth2/revoke?token=" + enc(token)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(org.sessionValid(token)).isFalse();
        assertThat(get("/services/data/v56.0/sobjects/Account/001Dn00000NoneAAA", token).statusCode()).isEqualTo(401);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    static Map<String, Object> claims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", SalesforceSandbox.CLIENT_ID);
        claims.put("sub", SalesforceSandbox.USERNAME);
        claims.put("aud", org.baseUrl());
        claims.put("exp", Instant.now().plus(Duration.ofMinutes(2)).getEpochSecond());
        return claims;
    }

    static String assertion(Map<String, Object> claims, PrivateKey key) throws Exception {
        String signed = b64("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "." + b64(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64(signature.sign());
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().encodeToString(bytes);
    }

    static HttpResponse<String> jwtLogin(Map<String, Object> claims, PrivateKey key) throws Exception {
        return postToken("grant_type=" + enc(SalesforceOAuth.JWT_BEARER) + "&client_id=" + SalesforceSandbox.CLIENT_ID
                + "&format=json&assertion=" + enc(assertion(claims, key)));
    }

    static HttpResponse<String> postToken(String form) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String token(HttpResponse<String> login) throws Exception {
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return JSON.readTree(login.body()).get("access_token").asText();
    }

    static HttpResponse<String> get(String path, String bearer) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(org.baseUrl() + path)).header("Authorization", "Bearer " + bearer)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertRefused(HttpResponse<String> response, String error, String description) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        Map<String, Object> body = JSON.readValue(response.body(), new TypeReference<>() {
        });
        assertThat(body).containsEntry("error", error).containsEntry("error_description", description);
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
