package dev.revenuebridge.security;

import java.util.Locale;
import java.util.Set;
import javax.management.ObjectName;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

/**
 * What Jolokia (and so Hawtio) may do, for anyone signed in as {@code operator}
 * ({@code management.endpoint.jolokia.config.restrictorClass}):
 * <ul>
 *   <li>read and list every MBean (attributes named like a secret excepted), so Hawtio shows the JVM, Camel and the
 *       bridge;</li>
 *   <li>execute the bridge's own operations ({@code revenue-bridge:*}: replay and discard dead letters) and Camel's
 *       reading operations ({@code dump*}, {@code get*}, {@code is*}: route diagrams and statistics);</li>
 *   <li>nothing else: no attribute writes, no JDK operations ({@code java.lang}, {@code com.sun.management} such as
 *       {@code HotSpotDiagnostic.dumpHeap}, {@code jdk.management.jfr}), no Camel operations that change or send
 *       anything (stop a route, send a message to an endpoint).</li>
 * </ul>
 */
public class BridgeJolokiaRestrictor implements Restrictor {

    static final String BRIDGE_DOMAIN = "revenue-bridge";
    private static final Set<RequestType> ALLOWED_TYPES = Set.of(RequestType.READ, RequestType.LIST, RequestType.SEARCH,
            RequestType.VERSION, RequestType.EXEC);

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return ALLOWED_TYPES.contains(type);
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        String lower = attribute == null ? "" : attribute.toLowerCase(Locale.ROOT);
        return !(lower.contains("password") || lower.contains("secret") || lower.contains("token")
                || lower.contains("apikey") || lower.contains("privatekey"));
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        if (name == null || operation == null) {
            return false;
        }
        String domain = name.getDomain();
        if (BRIDGE_DOMAIN.equals(domain)) {
            return true;
        }
        if ("org.apache.camel".equals(domain)) {
            return operation.startsWith("dump") || operation.startsWith("get") || operation.startsWith("is");
        }
        return false;
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return true;   // who may connect is the NetworkPolicy's and Spring Security's business
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        return true;
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return false;
    }
}
