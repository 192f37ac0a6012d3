package dev.revenuebridge.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.net.HttpClient;
import com.stripe.net.HttpHeaders;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends a Stripe request over HttpURLConnection as the SDK's HttpURLConnectionClient does (the same headers, timeouts,
 * body and error stream), except that the X-Stripe-Client-User-Agent header is built once. The SDK builds it for every
 * request, and building it reads gson's pom.properties from the class path: in the executable jar a scan of its nested
 * jars, 24% of the bridge's CPU samples in the ceiling benchmark (JFR, README Performance). The header describes the
 * JVM and the SDK, which do not change while the bridge runs.
 */
final class StripeConnectionClient extends HttpClient {

    private final String clientUserAgent = buildXStripeClientUserAgentString();

    @Override
    public StripeResponse request(StripeRequest request) throws ApiConnectionException {
        try {
            HttpURLConnection connection = open(request);
            try {
                int code = connection.getResponseCode();
                HttpHeaders headers = HttpHeaders.of(headerFields(connection));
                String body;
                try (InputStream in = code >= 200 && code < 300 ? connection.getInputStream()
                        : connection.getErrorStream()) {
                    body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                return new StripeResponse(code, headers, body);
            } catch (IOException e) {
                connection.disconnect();
                throw e;
            }
        } catch (IOException e) {
            throw new ApiConnectionException(String.format("IOException during API request to Stripe (%s): %s",
                    request.url(), e.getMessage()), e);
        }
    }

    private HttpURLConnection open(StripeRequest request) throws IOException {
        Proxy proxy = request.options().getConnectionProxy();
        HttpURLConnection connection = (HttpURLConnection) (proxy == null ? request.url().openConnection()
                : request.url().openConnection(proxy));
        connection.setConnectTimeout(request.options().getConnectTimeout());
        connection.setReadTimeout(request.options().getReadTimeout());
        connection.setUseCaches(false);
        connection.setRequestProperty("User-Agent", buildUserAgentString(request));
        connection.setRequestProperty("X-Stripe-Client-User-Agent", clientUserAgent);
        request.headers().map().forEach((name, values) -> connection.setRequestProperty(name, String.join(",", values)));
        connection.setRequestMethod(request.method().name());
        if (request.content() != null) {
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", request.content().contentType());
            try (OutputStream out = connection.getOutputStream()) {
                out.write(request.content().byteArrayContent());
            }
        }
        return connection;
    }

    /** The answer's headers without the status line (HttpURLConnection files it under a null name). */
    private static Map<String, List<String>> headerFields(HttpURLConnection connection) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        connection.getHeaderFields().forEach((name, values) -> {
            if (name != null) fields.put(name, values);
        });
        return fields;
    }
}
