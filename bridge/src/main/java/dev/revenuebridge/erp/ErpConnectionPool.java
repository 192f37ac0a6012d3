package dev.revenuebridge.erp;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The client-side limit on concurrent ERP requests: one connection pool shared by every ERP endpoint of the routes
 * (camel.component.http.client-connection-manager). camel-http would otherwise give each endpoint URI (one per
 * external id) a pool of its own, and the limit would not hold. A request that finds every connection busy waits for
 * one (camel.component.http.connection-request-timeout). {@link ErpPlaces} holds the same number of places in front
 * of it, which a request refused as one too many keeps while it is sent again.
 */
@Configuration(proxyBeanMethods = false)
public class ErpConnectionPool {

    @Bean(name = "erpConnections", destroyMethod = "close")
    PoolingHttpClientConnectionManager erpConnections(
            @Value("${revenue.erp.max-concurrent-requests:5}") int maxConcurrentRequests,
            @Value("${revenue.erp.connect-timeout-ms:5000}") long connectTimeoutMillis,
            @Value("${revenue.erp.response-timeout-ms:60000}") long responseTimeoutMillis) {
        if (maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("revenue.erp.max-concurrent-requests must be at least 1, not "
                    + maxConcurrentRequests);
        }
        return PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(maxConcurrentRequests)
                .setMaxConnPerRoute(maxConcurrentRequests)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(connectTimeoutMillis))
                        .setSocketTimeout(Timeout.ofMilliseconds(responseTimeoutMillis))
                        .build())
                .build();
    }
}
