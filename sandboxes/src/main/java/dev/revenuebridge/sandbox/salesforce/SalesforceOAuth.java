package dev.revenuebridge.sandbox.salesforce;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The org's OAuth 2.0 token endpoint and its sessions, as Salesforce documents them.
 *
 * <ul>
 *   <li>JWT bearer flow ({@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=...}): RS256 over
 *       {@code header.claims}, verified with the public key of the connected app's certificate
 *       ({@link #mapCertificate}); {@code iss} = the consumer key, {@code sub} = the integration user's username (a
 *       pre-authorized user), {@code aud} = the login URL (the sandbox's own base URL), {@code exp} in the future and
 *       at most 3 minutes ahead (Salesforce: "the expiration time of the assertion within 3 minutes"), plus a clock skew
 *       allowance (default 2 minutes: camel-salesforce 4.17 signs {@code exp} = now + 270 s, which real orgs accept).
 *       {@code exp} may be a JSON number or a numeric string (camel-salesforce sends a string).</li>
 *   <li>Username-password flow: refused ({@code invalid_grant}, "authentication failure") unless switched on, as in
 *       orgs made since Summer '23.</li>
 *   <li>Client credentials flow: the consumer key and secret.</li>
 *   <li>Sessions: an access token lasts the session timeout (default 2 hours, an org's default) after its last use;
 *       time is the sandbox clock. Unknown, revoked or timed-out tokens are invalid.</li>
 * </ul>
 *
 * <p>Camel signs its assertions with the JVM's real clock, which {@code advance} cannot move: the assertion's times are
 * checked against the clock the clients keep, the sandbox clock less what it was advanced by.
 */
final class SalesforceOAuth {

    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final Duration MAX_ASSERTION_LIFETIME = Duration.ofMinutes(3);

    /** An OAuth error: HTTP 400 {@code {"error": ..., "error_description": ...}}. */
    static final class OAuthError extends RuntimeException {
        final String error;

        OAuthError(String error, String description) {
            super(description);
            this.error = error;
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Supplier<String> baseUrl;
    /** token -> the instant of its last use (sandbox clock). */
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();
    private final Set<String> preAuthorizedUsers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger grants = new AtomicInteger();
    private final Map<String, AtomicInteger> grantsByType = new ConcurrentHashMap<>();
    private volatile Clock clock = Clock.systemUTC();
    private volatile Duration advanced = Duration.ZERO;
    private volatile Duration sessionTimeout = Duration.ofHours(2);
    private volatile Duration clockSkew = Duration.ofMinutes(2);
    private volatile boolean passwordGrantEnabled;
    private volatile PublicKey certificate;

    SalesforceOAuth(Supplier<String> baseUrl) {
        this.baseUrl = baseUrl;
        preAuthorizedUsers.add(SalesforceSandbox.USERNAME);
    }

    // --------------------------------------------------------------------------------------------------- settings

    void clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.advanced = Duration.ZERO;
    }

    Clock clock() {
        return clock;
    }

    void advance(Duration duration) {
        this.clock = Clock.offset(clock, duration);
        this.advanced = advanced.plus(duration);
    }

    /** The clients' clock: the sandbox clock less what {@link #advance} moved it by. */
    Instant clientNow() {
        return clock.instant().minus(advanced);
    }

    void sessionTimeout(Duration timeout) {
        this.sessionTimeout = Objects.requireNonNull(timeout);
    }

    Duration sessionTimeout() {
        return sessionTimeout;
    }

    void clockSkew(Duration skew) {
        this.clockSkew = Objects.requireNonNull(skew);
    }

    void passwordGrantEnabled(boolean enabled) {
        this.passwordGrantEnabled = enabled;
    }

    void mapCertificate(PublicKey publicKey) {
        this.certificate = publicKey;
    }

    /** Pre-authorizes (or not) a user for the connected app (Salesforce: admin-approved users, profile or permission set). */
    void preAuthorize(String username, boolean approved) {
        if (approved) preAuthorizedUsers.add(username);
        else preAuthorizedUsers.remove(username);
    }

    int grants() {
        return grants.get();
    }

    int grants(String grantType) {
        AtomicInteger n = grantsByType.get(grantType);
        return n == null ? 0 : n.get();
    }

    // --------------------------------------------------------------------------------------------------- sessions

    /** Whether {@code token} is a live session now (issued, not revoked, used within the session timeout). */
    boolean valid(String token) {
        Instant lastUse = token == null ? null : sessions.get(token);
        return lastUse != null && clock.instant().isBefore(lastUse.plus(sessionTimeout));
    }

    /** An API call with {@code token}: true when it is valid, and then it counts as activity (the timeout restarts). */
    boolean use(String token) {
        if (!valid(token)) {
            if (token != null) sessions.remove(token);
            return false;
        }
        sessions.put(token, clock.instant());
        return true;
    }

    void revoke(String token) {
        if (token != null) sessions.remove(token);
    }

    // ------------------------------------------------------------------------------------------------------ grants

    /** Answers a token request; throws {@link OAuthError} for a refused one. */
    Map<String, Object> token(Map<String, String> form) {
        String grant = form.get("grant_type");
        if (grant == null) {
            throw new OAuthError("unsupported_grant_type", "grant type not supported");
        }
        switch (grant) {
            case JWT_BEARER -> verifyAssertion(form.get("assertion"));
            case "password" -> {
                if (!passwordGrantEnabled) {
                    // orgs made since Summer '23 block the username-password flow
                    throw new OAuthError("invalid_grant", "authentication failure");
                }
                checkClient(form);
                if (!SalesforceSandbox.USERNAME.equals(form.get("username"))
                        || !SalesforceSandbox.PASSWORD.equals(form.get("password"))) {
                    throw new OAuthError("invalid_grant", "authentication failure");
                }
            }
            case "client_credentials" -> checkClient(form);
            default -> throw new OAuthError("unsupported_grant_type", "grant type not supported");
        }
        grantsByType.computeIfAbsent(grant, g -> new AtomicInteger()).incrementAndGet();
        return issue();
    }

    private static void checkClient(Map<String, String> form) {
        if (!SalesforceSandbox.CLIENT_ID.equals(form.get("client_id"))
                || !SalesforceSandbox.CLIENT_SECRET.equals(form.get("client_secret"))) {
            throw new OAuthError("invalid_client_id", "client identifier invalid");
        }
    }

    private void verifyAssertion(String assertion) {
        if (assertion == null || assertion.isBlank()) {
            throw new OAuthError("invalid_request", "assertion is required");
        }
        String[] parts = assertion.split("\\.", -1);
        if (parts.length != 3) {
            throw new OAuthError("invalid_grant", "invalid assertion");
        }
        Map<String, Object> header;
        Map<String, Object> claims;
        byte[] signature;
        try {
            Base64.Decoder base64 = Base64.getUrlDecoder();
            header = json.readValue(base64.decode(parts[0]), new TypeReference<>() {
            });
            claims = json.readValue(base64.decode(parts[1]), new TypeReference<>() {
            });
            signature = base64.decode(parts[2]);
        } catch (Exception e) {
            throw new OAuthError("invalid_grant", "invalid assertion");
        }
        if (!"RS256".equals(header.get("alg"))) {
            throw new OAuthError("invalid_grant", "invalid assertion");
        }
        PublicKey key = certificate;
        if (key == null || !signatureValid(key, parts[0] + "." + parts[1], signature)) {
            throw new OAuthError("invalid_grant", "invalid assertion");
        }
        if (!SalesforceSandbox.CLIENT_ID.equals(claims.get("iss"))) {
            throw new OAuthError("invalid_client_id", "client identifier invalid");
        }
        if (!audienceValid(claims.get("aud"))) {
            throw new OAuthError("invalid_grant", "audience is invalid");
        }
        Instant exp = numericDate(claims.get("exp"));
        Instant now = clientNow();
        if (exp == null) {
            throw new OAuthError("invalid_grant", "invalid assertion");
        }
        if (!exp.isAfter(now.minus(clockSkew))) {
            throw new OAuthError("invalid_grant", "expired authorization code");
        }
        if (exp.isAfter(now.plus(MAX_ASSERTION_LIFETIME).plus(clockSkew))) {
            throw new OAuthError("invalid_grant", "invalid assertion");
        }
        Object sub = claims.get("sub");
        if (!(sub instanceof String user) || !preAuthorizedUsers.contains(user)
                || !SalesforceSandbox.USERNAME.equals(user)) {
            throw new OAuthError("invalid_grant", "user hasn't approved this consumer");
        }
    }

    private boolean audienceValid(Object aud) {
        String own = baseUrl.get();
        if (aud instanceof String s) {
            return stripSlash(s).equals(own);
        }
        if (aud instanceof Iterable<?> list) {
            for (Object a : list) {
                if (a instanceof String s && stripSlash(s).equals(own)) return true;
            }
        }
        return false;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static Instant numericDate(Object value) {
        try {
            if (value instanceof Number n) return Instant.ofEpochSecond(n.longValue());
            if (value instanceof String s) return Instant.ofEpochSecond(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static boolean signatureValid(PublicKey key, String signed, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update(signed.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private Map<String, Object> issue() {
        String token = SalesforceSandbox.ORG_ID + "!" + UUID.randomUUID().toString().replace("-", "");
        Instant now = clock.instant();
        sessions.put(token, now);
        grants.incrementAndGet();
        String base = baseUrl.get();
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("access_token", token);
        body.put("instance_url", base);
        body.put("id", base + "/id/" + SalesforceSandbox.ORG_ID + "/" + SalesforceSandbox.USER_ID);
        body.put("token_type", "Bearer");
        body.put("issued_at", String.valueOf(now.toEpochMilli()));
        body.put("signature", "sandbox");
        return body;
    }
}
