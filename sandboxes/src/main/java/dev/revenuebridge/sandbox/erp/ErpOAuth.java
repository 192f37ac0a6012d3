package dev.revenuebridge.sandbox.erp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * NetSuite's OAuth 2.0 client credentials (machine-to-machine) flow, as the token endpoint
 * {@code POST /services/rest/auth/oauth2/v1/token} answers it.
 * <p>
 * The request (NetSuite Help "POST Request to the Token Endpoint and the Access Token Response", section_162755359851):
 * {@code application/x-www-form-urlencoded} parameters {@code grant_type=client_credentials},
 * {@code client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer} and {@code client_assertion},
 * "a JWT bearer token ... signed with the private part of the certificate used for mapping of the application".
 * <p>
 * The assertion (NetSuite Help "The Request Token Structure", section_162790605110): header {@code typ} "always JWT",
 * {@code alg} "PS256, PS384, PS512, ES256, ES384, or ES512", {@code kid} "the Certificate ID generated during the
 * mapping of the application"; payload {@code iss} "the client ID for the integration", {@code scope}
 * "restlets, rest_webservices, suite_analytics, or all of them, separated by a comma", {@code aud} "the NetSuite
 * token endpoint", {@code exp} "must be less than 60 minutes greater than the value of the iat parameter", {@code iat}
 * when it was issued. The sandbox checks every one of these: the audience is exactly {@code baseUrl()} + the token
 * path (a string, or an array holding it); exp must be after now; exp - iat at most 3600 s; iat at most 5 minutes
 * ahead of the sandbox clock (allowance for clock skew, the usual practice of JWT verifiers, as the docs are silent).
 * PS* signatures are RSASSA-PSS with MGF1 of the same hash and a salt of the hash's length; ES* signatures are
 * ECDSA in the JOSE form (r || s, RFC 7518 section 3.4).
 * <p>
 * Success is 200 {@code {"access_token": ..., "expires_in": "3600", "token_type": "Bearer"}}: expires_in comes as a
 * string, as NetSuite's token endpoint sends it (what clients see in practice). A refusal is 400 {@code {"error",
 * "error_description"}} with the codes of RFC 6749 section 5.2: invalid_request (a parameter or the JWT missing or
 * garbled), unsupported_grant_type, invalid_client (unknown kid or iss, bad signature), invalid_grant (expired,
 * wrong audience or scope, iat/exp outside the window). The access token is opaque and valid for 3600 s of the
 * sandbox clock.
 */
final class ErpOAuth {

    static final String TOKEN_PATH = "/services/rest/auth/oauth2/v1/token";
    static final Duration TOKEN_LIFETIME = Duration.ofSeconds(3600);
    private static final Duration MAX_ASSERTION_LIFETIME = Duration.ofSeconds(3600);
    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** A refusal of the token endpoint. */
    static final class OAuthError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String code;

        OAuthError(String code, String description) {
            super(description, null, false, false);
            this.code = code;
        }

        Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", code);
            body.put("error_description", getMessage());
            return body;
        }

        String code() { return code; }
    }

    private record Certificate(String clientId, PublicKey key) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Certificate> certificates = new ConcurrentHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger issued = new AtomicInteger();
    private final Supplier<Clock> clock;
    private final Supplier<String> baseUrl;

    ErpOAuth(Supplier<Clock> clock, Supplier<String> baseUrl) {
        this.clock = clock;
        this.baseUrl = baseUrl;
    }

    void mapCertificate(String clientId, String certificateId, PublicKey key) {
        certificates.put(Objects.requireNonNull(certificateId, "certificateId"),
                new Certificate(Objects.requireNonNull(clientId, "clientId"), Objects.requireNonNull(key, "key")));
    }

    int issuedCount() { return issued.get(); }

    /** Forgets the tokens issued (the certificate mappings, configuration of the account, stay). */
    void reset() {
        tokens.clear();
        issued.set(0);
    }

    /** Issues an access token without a request (for the sandbox's own tests). */
    String issue() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, clock.get().instant().plus(TOKEN_LIFETIME));
        issued.incrementAndGet();
        return token;
    }

    /** Whether a bearer token was issued here and has not expired on the sandbox clock. */
    boolean valid(String token) {
        Instant expiry = token == null ? null : tokens.get(token);
        return expiry != null && clock.get().instant().isBefore(expiry);
    }

    /** Answers a token request: the success body, or throws {@link OAuthError}. */
    Map<String, Object> token(String contentType, Map<String, String> form) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT)
                .startsWith("application/x-www-form-urlencoded")) {
            throw new OAuthError("invalid_request", "The request must be application/x-www-form-urlencoded.");
        }
        String grantType = form.get("grant_type");
        if (grantType == null || grantType.isBlank()) {
            throw new OAuthError("invalid_request", "The grant_type parameter is missing.");
        }
        if (!"client_credentials".equals(grantType)) {
            throw new OAuthError("unsupported_grant_type", "The grant type " + grantType + " is not supported.");
        }
        if (!JWT_BEARER.equals(form.get("client_assertion_type"))) {
            throw new OAuthError("invalid_request", "The client_assertion_type parameter must be " + JWT_BEARER + ".");
        }
        String assertion = form.get("client_assertion");
        if (assertion == null || assertion.isBlank()) {
            throw new OAuthError("invalid_request", "The client_assertion parameter is missing.");
        }
        verify(assertion);
        String token = issue();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token);
        body.put("expires_in", String.valueOf(TOKEN_LIFETIME.toSeconds())); // a string, as NetSuite sends it
        body.put("token_type", "Bearer");
        return body;
    }

    private void verify(String assertion) {
        String[] parts = assertion.split("\\.", -1);
        if (parts.length != 3) {
            throw new OAuthError("invalid_request", "The client assertion is not a JWT (header.payload.signature).");
        }
        JsonNode header = decodeJson(parts[0], "header");
        JsonNode payload = decodeJson(parts[1], "payload");
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new OAuthError("invalid_request", "The client assertion's signature is not base64url.");
        }
        if (!"JWT".equals(header.path("typ").asText(null))) {
            throw new OAuthError("invalid_request", "The client assertion's header typ must be JWT.");
        }
        String alg = header.path("alg").asText("");
        if (!alg.matches("(PS|ES)(256|384|512)")) {
            throw new OAuthError("invalid_request", "The client assertion's algorithm " + alg
                    + " is not supported; use PS256, PS384, PS512, ES256, ES384 or ES512.");
        }
        String kid = header.path("kid").asText(null);
        Certificate certificate = kid == null ? null : certificates.get(kid);
        if (certificate == null) {
            throw new OAuthError("invalid_client", "No certificate with ID " + kid + " is mapped to an integration.");
        }
        if (!certificate.clientId().equals(payload.path("iss").asText(null))) {
            throw new OAuthError("invalid_client", "The issuer " + payload.path("iss").asText(null)
                    + " is not the client ID the certificate " + kid + " is mapped to.");
        }
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (!signatureValid(alg, certificate.key(), signed, signature)) {
            throw new OAuthError("invalid_client", "The client assertion's signature is not valid for certificate " + kid + ".");
        }
        String audience = baseUrl.get() + TOKEN_PATH;
        JsonNode aud = payload.path("aud");
        boolean audienceOk = aud.isTextual() ? audience.equals(aud.asText())
                : aud.isArray() && java.util.stream.StreamSupport.stream(aud.spliterator(), false)
                .anyMatch(a -> a.isTextual() && audience.equals(a.asText()));
        if (!audienceOk) {
            throw new OAuthError("invalid_grant", "The audience must be the token endpoint " + audience + ".");
        }
        JsonNode scope = payload.path("scope");
        boolean scopeOk = scope.isTextual() ? Arrays.stream(scope.asText().split(","))
                .anyMatch(s -> "rest_webservices".equals(s.trim()))
                : scope.isArray() && java.util.stream.StreamSupport.stream(scope.spliterator(), false)
                .anyMatch(s -> "rest_webservices".equals(s.asText()));
        if (!scopeOk) {
            throw new OAuthError("invalid_grant", "The scope must include rest_webservices.");
        }
        if (!payload.path("iat").isNumber() || !payload.path("exp").isNumber()) {
            throw new OAuthError("invalid_request", "The client assertion needs numeric iat and exp claims.");
        }
        long iat = payload.path("iat").asLong();
        long exp = payload.path("exp").asLong();
        long now = clock.get().instant().getEpochSecond();
        if (exp <= now) {
            throw new OAuthError("invalid_grant", "The client assertion has expired.");
        }
        if (exp <= iat || exp - iat > MAX_ASSERTION_LIFETIME.toSeconds()) {
            throw new OAuthError("invalid_grant", "The client assertion's exp must be after iat and less than 60 "
                    + "minutes after it.");
        }
        if (iat > now + MAX_CLOCK_SKEW.toSeconds()) {
            throw new OAuthError("invalid_grant", "The client assertion's iat is in the future.");
        }
    }

    private JsonNode decodeJson(String part, String what) {
        try {
            JsonNode node = json.readTree(Base64.getUrlDecoder().decode(part));
            if (node == null || !node.isObject()) throw new IllegalArgumentException("not an object");
            return node;
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new OAuthError("invalid_request", "The client assertion's " + what + " is not base64url JSON.");
        }
    }

    private static boolean signatureValid(String alg, PublicKey key, byte[] signed, byte[] signature) {
        int bits = Integer.parseInt(alg.substring(2));
        try {
            Signature verifier;
            if (alg.startsWith("PS")) {
                String hash = "SHA-" + bits;
                MGF1ParameterSpec mgf = switch (bits) {
                    case 256 -> MGF1ParameterSpec.SHA256;
                    case 384 -> MGF1ParameterSpec.SHA384;
                    default -> MGF1ParameterSpec.SHA512;
                };
                verifier = Signature.getInstance("RSASSA-PSS");
                verifier.setParameter(new PSSParameterSpec(hash, "MGF1", mgf, bits / 8, 1));
                verifier.initVerify(key);
                verifier.update(signed);
                return verifier.verify(signature);
            }
            verifier = Signature.getInstance("SHA" + bits + "withECDSA");
            verifier.initVerify(key);
            verifier.update(signed);
            return verifier.verify(joseToDer(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** An ECDSA signature in the JOSE form (r || s, fixed length) as the DER SEQUENCE Java verifies. */
    static byte[] joseToDer(byte[] jose) {
        if (jose.length == 0 || jose.length % 2 != 0) throw new IllegalArgumentException("bad ECDSA signature length");
        int half = jose.length / 2;
        byte[] r = new BigInteger(1, Arrays.copyOfRange(jose, 0, half)).toByteArray();
        byte[] s = new BigInteger(1, Arrays.copyOfRange(jose, half, jose.length)).toByteArray();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (byte[] integer : new byte[][] {r, s}) {
            body.write(0x02);
            writeLength(body, integer.length);
            body.writeBytes(integer);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x30);
        writeLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeLength(java.io.ByteArrayOutputStream out, int length) {
        if (length < 128) {
            out.write(length);
        } else if (length < 256) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
    }
}
