package dev.revenuebridge.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Two ports, two audiences. The application port ({@code server.port}, 8080) is the one the internet reaches, for
 * Stripe's webhooks: it serves {@code /webhooks/stripe} and nothing else. The operations port ({@code revenue.ops.port},
 * 8081) serves the ops API ({@code /api/*}), the actuator (health, metrics), Hawtio and Jolokia, and no webhooks; only
 * the cluster and its operators reach it (k8s/ NetworkPolicy). Both are Tomcat connectors of one server; this filter,
 * first of all, answers 404 to a path on the wrong port, so nothing can be reached through the other door.
 */
@Component
public class OpsPort extends OncePerRequestFilter
        implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, ApplicationListener<ServletWebServerInitializedEvent> {

    /** The only path of the application port. */
    public static final String WEBHOOKS = "/webhooks/stripe";

    private final int configuredPort;
    private volatile Connector connector;
    private volatile int applicationPort = -1;
    private volatile int opsPort = -1;

    public OpsPort(@Value("${revenue.ops.port:8081}") int configuredPort) {
        this.configuredPort = configuredPort;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        Connector ops = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        ops.setPort(configuredPort);
        factory.addAdditionalTomcatConnectors(ops);
        this.connector = ops;
    }

    @Override
    public void onApplicationEvent(ServletWebServerInitializedEvent event) {
        if (event.getApplicationContext().getParent() != null || !(event.getWebServer() instanceof TomcatWebServer)) {
            return;
        }
        applicationPort = event.getWebServer().getPort();
        opsPort = connector == null ? -1 : connector.getLocalPort();
        if (opsPort == applicationPort) {
            throw new IllegalStateException("revenue.ops.port must differ from server.port (" + applicationPort + ")");
        }
    }

    /** The port the operations endpoints listen on (known once the server started). */
    public int port() {
        return opsPort;
    }

    /** The application port, where only the webhooks are. */
    public int applicationPort() {
        return applicationPort;
    }

    /** Whether a request came in on the operations port. */
    public boolean isOps(HttpServletRequest request) {
        return request.getLocalPort() == opsPort;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean webhook = path.equals(WEBHOOKS);
        if (isOps(request) == webhook) {
            // a webhook on the ops port, or anything but the webhook on the application port: there is nothing here
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        chain.doFilter(request, response);
    }
}
