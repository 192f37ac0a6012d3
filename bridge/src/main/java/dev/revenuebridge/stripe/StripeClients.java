package dev.revenuebridge.stripe;

import com.stripe.StripeClient;
import com.stripe.net.Authenticator;
import com.stripe.net.BearerTokenAuthenticator;
import com.stripe.net.LiveStripeResponseGetter;
import com.stripe.net.StripeResponseGetterOptions;
import dev.revenuebridge.throttle.RequestRateLimiter;
import dev.revenuebridge.throttle.ThrottleMetrics;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.time.Duration;

/**
 * The bridge's one StripeClient (billing and cash share it, and so share the rate limits): the settings' base, key and
 * timeouts, and the HTTP client limited globally, per endpoint and for search (https://docs.stripe.com/rate-limits).
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
public class StripeClients {

    @org.springframework.context.annotation.Bean
    StripeClient stripeClient(StripeSettings settings, ThrottleMetrics metrics,
                              dev.revenuebridge.metrics.ExternalCalls calls) {
        return create(settings, metrics, calls);
    }

    static StripeClient create(StripeSettings settings, ThrottleMetrics metrics,
                               dev.revenuebridge.metrics.ExternalCalls calls) {
        RequestRateLimiter limiter = new RequestRateLimiter(settings.maxRequestsPerSecond(), Duration.ofSeconds(1),
                Duration.ofMillis(50));
        return new StripeClient(new LiveStripeResponseGetter(new Options(settings),
                new ThrottledStripeHttpClient(limiter, settings.maxRequestsPerSecondPerEndpoint(),
                        settings.maxSearchRequestsPerSecond(), metrics, calls)));
    }

    private static final class Options extends StripeResponseGetterOptions {
        private final StripeSettings settings;
        private final Authenticator authenticator;

        Options(StripeSettings settings) {
            this.settings = settings;
            this.authenticator = settings.apiKey() == null || settings.apiKey().isBlank()
                    ? null : new BearerTokenAuthenticator(settings.apiKey());
        }

        @Override public Authenticator getAuthenticator() { return authenticator; }
        @Override public String getClientId() { return null; }
        @Override public int getConnectTimeout() { return settings.connectTimeoutMillis(); }
        @Override public Proxy getConnectionProxy() { return null; }
        @Override public int getMaxNetworkRetries() { return settings.maxNetworkRetries(); }
        @Override public PasswordAuthentication getProxyCredential() { return null; }
        @Override public String getApiBase() { return settings.apiBase(); }
        @Override public String getFilesBase() { return "https://files.stripe.com"; }
        @Override public String getConnectBase() { return "https://connect.stripe.com"; }
        @Override public String getMeterEventsBase() { return "https://meter-events.stripe.com"; }
        @Override public int getReadTimeout() { return settings.readTimeoutMillis(); }
        @Override public String getStripeAccount() { return null; }
        @Override public String getStripeContext() { return null; }
    }
}
