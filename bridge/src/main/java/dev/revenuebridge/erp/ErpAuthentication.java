package dev.revenuebridge.erp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Signs every ERP request of the routes (camel-http, {@code camel.component.http.http-client-configurer}) with the
 * integration's current OAuth 2.0 access token, so no route handles credentials. A request answered 401 (the token
 * expired or was revoked early) is sent once more with a freshly signed-in token; a second 401 goes back to the route
 * as the ERP's answer (a request whose body was streamed fails with {@link TokenRejectedException} instead, and the
 * route's redelivery sends it again with the new token). The token goes only to the ERP's own host
 * ({@code revenue.erp.base-url}). Before all that, an ERP request takes one of the account's places ({@link ErpPlaces}).
 */
@Component("erpAuthentication")
public class ErpAuthentication implements HttpClientConfigurer {

    /** A 401 to a request whose body cannot be sent twice: retried by the route, with the new token. */
    public static class TokenRejectedException extends IOException {
        public TokenRejectedException(String message) {
            super(message);
        }
    }

    private final NetSuiteTokens tokens;
    private final String host;
    private final int port;
    private final Counter renewedAfter401;
    private final Counter signInFailures;
    private final dev.revenuebridge.metrics.ExternalCalls calls;
    private final ErpPlaces places;

    public ErpAuthentication(NetSuiteTokens tokens, @Value("${revenue.erp.base-url:}") String baseUrl,
                             MeterRegistry meters, dev.revenuebridge.metrics.ExternalCalls calls, ErpPlaces places) {
        this.tokens = tokens;
        this.places = places;
        this.calls = calls;
        this.signInFailures = Counter.builder("revenue.bridge.erp.sign.in.failures")
                .description("ERP sign-ins (access token requests) that failed; the request waiting for it fails too")
                .register(meters);
        URI base = baseUrl == null || baseUrl.isBlank() ? null : URI.create(baseUrl.trim());
        this.host = base == null ? null : base.getHost();
        this.port = base == null ? -1 : effectivePort(base);
        this.renewedAfter401 = Counter.builder("revenue_bridge_erp_sign_ins_after_401")
                .description("ERP requests answered 401 and sent again after a new sign-in").register(meters);
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        // first of all: an ERP request holds one of the account's places while it is signed, sent and sent again
        builder.addExecInterceptorFirst("erp-places", (request, scope, chain) ->
                toErp(request) ? places.execute(request, scope, chain) : chain.proceed(request, scope));
        // after the client's own retries and redirects (which see the request as camel-http made it), before the
        // protocol step that completes its headers: a request sent again after a 401 is completed again
        builder.addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "netsuite-oauth2", new ExecChainHandler() {
            @Override
            public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
                    throws IOException, HttpException {
                if (!toErp(request)) {
                    return chain.proceed(request, scope);
                }
                String token = signedIn();
                request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
                ClassicHttpResponse response = timed(request, scope, chain);
                if (response.getCode() != 401) {
                    return response;
                }
                EntityUtils.consume(response.getEntity());
                response.close();
                tokens.rejected(token);
                renewedAfter401.increment();
                HttpEntity entity = request.getEntity();
                if (entity != null && !entity.isRepeatable()) {
                    // the body was streamed once and cannot be sent again here: the route's redelivery sends the
                    // message again, and the next attempt signs in first
                    throw new TokenRejectedException("ERP refused the access token (401) for " + request.getMethod()
                            + " " + request.getRequestUri() + ": signed in again for the retry");
                }
                request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + signedIn());
                // the first attempt's protocol headers are set again for the second
                request.removeHeaders(HttpHeaders.CONTENT_LENGTH);
                request.removeHeaders(HttpHeaders.TRANSFER_ENCODING);
                return timed(request, scope, chain);
            }
        });
    }

    private String signedIn() throws IOException {
        try {
            return tokens.accessToken();
        } catch (IOException | RuntimeException e) {
            signInFailures.increment();
            throw e;
        }
    }

    /** One ERP request, counted by its status in revenue_bridge_external_calls_seconds. */
    private ClassicHttpResponse timed(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        long started = System.nanoTime();
        try {
            ClassicHttpResponse response = chain.proceed(request, scope);
            calls.record("erp", dev.revenuebridge.metrics.ExternalCalls.status(response.getCode()),
                    java.time.Duration.ofNanos(System.nanoTime() - started));
            return response;
        } catch (IOException | HttpException | RuntimeException e) {
            calls.record("erp", dev.revenuebridge.metrics.ExternalCalls.NO_ANSWER,
                    java.time.Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
    }

    private boolean toErp(ClassicHttpRequest request) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = request.getUri();
            return host.equalsIgnoreCase(uri.getHost()) && port == effectivePort(uri);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }
}
