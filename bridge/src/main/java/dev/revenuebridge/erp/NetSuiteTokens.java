package dev.revenuebridge.erp;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * NetSuite OAuth 2.0 access tokens for the bridge's integration record, by the client credentials (machine-to-machine)
 * flow: a JWT client assertion signed with the private key of the certificate mapped to the integration
 * ({@code kid} = the certificate id, {@code iss} = the client id, {@code aud} = the token endpoint, {@code scope} =
 * rest_webservices), posted to {@code /services/rest/auth/oauth2/v1/token} (NetSuite help: "OAuth 2.0 Client
 * Credentials Setup", "The Request Token Structure", "POST Request to the Token Endpoint and the Access Token
 * Response"). NetSuite's access tokens last 60 minutes; the token is cached and renewed
 * {@code revenue.erp.auth.renew-before-seconds} before it expires, and {@link #rejected} drops one the ERP answered 401
 * to, so the next request signs in again. One sign-in at a time: concurrent requests wait for it and share the token.
 */
@Component("netSuiteTokens")
public class NetSuiteTokens {

    /** NetSuite refused the sign-in itself (a 4xx of the token endpoint): a setup problem, named for the operator. */
    public static class ErpSignInException extends IOException {
        public ErpSignInException(String message) {
            super(message);
        }
    }

    public static final String TOKEN_PATH = "/services/rest/auth/oauth2/v1/token";
    private static final Logger LOG = LoggerFactory.getLogger(NetSuiteTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The JWT assertion is good for five minutes: NetSuite accepts up to 60 (exp - iat), and it is used at once. */
    private static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(5);

    private record Token(String value, Instant expiresAt) {
    }

    private final String tokenUrl;
    private final String clientId;
    private final String certificateId;
    private final String privateKeyFile;
    private final String scope;
    private final String algorithm;
    private final Duration renewBefore;
    private final Clock clock;
    private final HttpClient http;
    private final Duration timeout;
    private final AtomicLong signIns = new AtomicLong();
    private volatile PrivateKey privateKey;
    private volatile Token current;

    public NetSuiteTokens(@Value("${revenue.erp.base-url:}") String baseUrl,
                          @Value("${revenue.erp.auth.token-url:}") String tokenUrl,
                          @Value("${revenue.erp.auth.client-id:}") String clientId,
                          @Value("${revenue.erp.auth.certificate-id:}") String certificateId,
                          @Value("${revenue.erp.auth.private-key-file:}") String privateKeyFile,
                          @Value("${revenue.erp.auth.scope:rest_webservices}") String scope,
                          @Value("${revenue.erp.auth.algorithm:PS256}") String algorithm,
                          @Value("${revenue.erp.auth.renew-before-seconds:300}") long renewBeforeSeconds,
                          @Value("${revenue.erp.connect-timeout-ms:5000}") long connectTimeoutMillis,
                          @Value("${revenue.erp.response-timeout-ms:60000}") long responseTimeoutMillis,
                          Clock clock) {
        this.tokenUrl = tokenUrl == null || tokenUrl.isBlank() ? stripSlash(baseUrl) + TOKEN_PATH : tokenUrl;
        this.clientId = clientId;
        this.certificateId = certificateId;
        this.privateKeyFile = privateKeyFile;
        this.scope = scope;
        this.algorithm = algorithm.trim().toUpperCase(java.util.Locale.ROOT);
        if (!this.algorithm.matches("PS(256|384|512)")) {
            throw new IllegalArgumentException("revenue.erp.auth.algorithm must be PS256, PS384 or PS512 (RSA-PSS, as "
                    + "NetSuite's client credentials flow accepts for an RSA certificate), not " + algorithm);
        }
        this.renewBefore = Duration.ofSeconds(Math.max(0, renewBeforeSeconds));
        this.clock = clock;
        this.timeout = Duration.ofMillis(responseTimeoutMillis);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(connectTimeoutMillis)).build();
        if (configured()) {
            privateKey = readPrivateKey(Path.of(privateKeyFile));
        } else {
            LOG.warn("ERP sign-in is not configured (revenue.erp.auth.client-id, certificate-id, private-key-file): "
                    + "every ERP request will be refused with 401");
        }
    }

    /** Whether the integration's client id, certificate id and private key are all set. */
    public boolean configured() {
        return !blank(clientId) && !blank(certificateId) && !blank(privateKeyFile);
    }

    /** A valid access token, signing in when there is none or it expires within the renewal margin. */
    public String accessToken() throws IOException {
        Token token = current;
        if (token != null && clock.instant().isBefore(token.expiresAt().minus(renewBefore))) {
            return token.value();
        }
        synchronized (this) {
            token = current;
            if (token == null || !clock.instant().isBefore(token.expiresAt().minus(renewBefore))) {
                token = signIn();
                current = token;
            }
            return token.value();
        }
    }

    /** The ERP refused this token (401): forget it, unless another request has already replaced it. */
    public synchronized void rejected(String token) {
        if (current != null && current.value().equals(token)) {
            LOG.info("ERP refused the access token before its expiry ({}): signing in again", current.expiresAt());
            current = null;
        }
    }

    /** How many times the bridge signed in since it started. */
    public long signIns() {
        return signIns.get();
    }

    private Token signIn() throws IOException {
        if (!configured()) {
            throw new ErpSignInException("ERP sign-in is not configured: set revenue.erp.auth.client-id "
                    + "(ERP_CLIENT_ID), revenue.erp.auth.certificate-id (ERP_CERTIFICATE_ID) and "
                    + "revenue.erp.auth.private-key-file (ERP_PRIVATE_KEY_FILE)");
        }
        String form = "grant_type=client_credentials"
                + "&client_assertion_type=" + encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                + "&client_assertion=" + encode(assertion());
        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signing in to the ERP", e);
        }
        Map<?, ?> body = parse(response.body());
        if (response.statusCode() >= 400 && response.statusCode() < 500 && response.statusCode() != 429) {
            throw new ErpSignInException("NetSuite refused the sign-in of integration " + clientId + " with certificate "
                    + certificateId + " at " + tokenUrl + ": HTTP " + response.statusCode() + " " + body.get("error")
                    + (body.get("error_description") == null ? "" : " (" + body.get("error_description") + ")")
                    + ". Check the client id, that the certificate is mapped to the integration (a sandbox refresh "
                    + "clears the mapping) and that the key file is the certificate's private key");
        }
        if (response.statusCode() != 200 || !(body.get("access_token") instanceof String value) || value.isBlank()) {
            throw new IOException("ERP token endpoint " + tokenUrl + " answered HTTP " + response.statusCode()
                    + " without an access token");
        }
        // NetSuite sends expires_in as a string ("3600"); a number is read as well
        long seconds = body.get("expires_in") == null ? 3600 : Long.parseLong(String.valueOf(body.get("expires_in")).trim());
        signIns.incrementAndGet();
        Instant expiresAt = clock.instant().plusSeconds(seconds);
        LOG.info("Signed in to the ERP as integration {}: access token valid until {}", clientId, expiresAt);
        return new Token(value, expiresAt);
    }

    /** The signed JWT client assertion (header typ/alg/kid; claims iss, scope, aud, iat, exp). */
    String assertion() throws IOException {
        long now = clock.instant().getEpochSecond();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", algorithm);
        header.put("kid", certificateId);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", clientId);
        claims.put("scope", scope);
        claims.put("aud", tokenUrl);
        claims.put("iat", now);
        claims.put("exp", now + ASSERTION_LIFETIME.toSeconds());
        String signingInput = base64Url(JSON.writeValueAsBytes(header)) + "." + base64Url(JSON.writeValueAsBytes(claims));
        try {
            Signature signature = Signature.getInstance("RSASSA-PSS");
            int bits = Integer.parseInt(algorithm.substring(2));
            String digest = "SHA-" + bits;
            signature.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), bits / 8, 1));
            signature.initSign(privateKey);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + base64Url(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign the ERP client assertion with " + algorithm + ": " + e.getMessage(), e);
        }
    }

    /** A PKCS#8 PEM private key ("BEGIN PRIVATE KEY"), as {@code openssl genpkey} or {@code openssl pkcs8 -topk8} writes it. */
    static PrivateKey readPrivateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("revenue.erp.auth.private-key-file " + file + " cannot be read: " + e, e);
        }
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            throw new IllegalStateException("revenue.erp.auth.private-key-file " + file + " is not an unencrypted "
                    + "PKCS#8 key: convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`");
        }
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("revenue.erp.auth.private-key-file " + file + " holds no RSA private key "
                    + "in PKCS#8 PEM: " + e.getMessage(), e);
        }
    }

    private static Map<?, ?> parse(String body) {
        try {
            Object parsed = body == null || body.isBlank() ? Map.of() : JSON.readValue(body, Object.class);
            return parsed instanceof Map<?, ?> map ? map : Map.of();
        } catch (IOException e) {
            return Map.of("error", "unreadable answer");
        }
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String stripSlash(String url) {
        String u = url == null ? "" : url.trim();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
