package dev.revenuebridge.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.revenuebridge.support.BridgeInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Production sign-in through an OIDC issuer: bearer JWTs whose roles claim grants the bridge's roles. A token of the
 * issuer's key with the finance role reads traces and approves, but does not replay; a token without roles, an expired
 * one and one signed by another key are refused.
 */
class OidcSignInTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static KeyPair issuer;
    static ConfigurableApplicationContext bridge;
    static String ops;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        issuer = generator.generateKeyPair();
        Path publicKey = Files.createTempFile("oidc-issuer", ".pem");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(issuer.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        String name = "oidc_" + ProcessHandle.current().pid();
        // the issuer's signing key, as its JWKS would give it (an issuer-uri is the same with discovery)
        bridge = INFRA.startBridge(name, INFRA.createDatabase(name), Map.of(
                "spring.security.oauth2.resourceserver.jwt.public-key-location", "file:" + publicKey));
        ops = "http://localhost:" + bridge.getBean(OpsPort.class).port();
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void theIssuersTokensSignInWithTheirRolesAndOthersAreRefused() throws Exception {
        String finance = token(issuer, List.of("finance"), Instant.now().plusSeconds(300));
        assertThat(call("GET", "/api/deals/006Dn00000NobodyAAA", finance)).as("finance reads traces").isEqualTo(404);
        assertThat(call("POST", "/api/approvals/006Dn00000NobodyAAA", finance)).as("and approves").isEqualTo(404);
        assertThat(call("POST", "/api/dead-letters/1/replay", finance)).as("but does not replay").isEqualTo(403);
        assertThat(call("POST", "/api/dead-letters/1/replay", token(issuer, List.of("operator"), Instant.now().plusSeconds(300))))
                .as("an operator replays (none there)").isEqualTo(404);

        assertThat(call("GET", "/api/deals/006Dn00000NobodyAAA", token(issuer, List.of(), Instant.now().plusSeconds(300))))
                .as("no roles").isEqualTo(403);
        assertThat(call("GET", "/api/deals/006Dn00000NobodyAAA", token(issuer, List.of("viewer"), Instant.now().minusSeconds(300))))
                .as("expired").isEqualTo(401);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        assertThat(call("GET", "/api/deals/006Dn00000NobodyAAA", token(generator.generateKeyPair(), List.of("viewer"),
                Instant.now().plusSeconds(300)))).as("signed by someone else").isEqualTo(401);
    }

    private static String token(KeyPair key, List<String> roles, Instant expires) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject("00u1finance")
                .claim("preferred_username", "cfo@revenue-bridge.example")
                .claim("roles", roles)
                .issueTime(Date.from(Instant.now().minusSeconds(600)))
                .expirationTime(Date.from(expires))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        jwt.sign(new RSASSASigner((RSAPrivateKey) key.getPrivate()));
        return jwt.serialize();
    }

    private static int call(String method, String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ops + path))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
