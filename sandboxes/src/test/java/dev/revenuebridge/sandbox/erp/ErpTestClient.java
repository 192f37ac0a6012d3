package dev.revenuebridge.sandbox.erp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Raw HTTP calls to an {@link ErpSandbox} for the sandbox's own tests, with a bearer token from it. */
final class ErpTestClient {

    static final String RECORDS = "/services/rest/record/v1";

    final ErpSandbox erp;
    final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    String token;

    ErpTestClient(ErpSandbox erp) {
        this.erp = erp;
    }

    /** Takes a fresh access token (after a reset, which forgets the tokens issued). */
    ErpTestClient login() {
        token = erp.issueAccessToken();
        return this;
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return raw(method, RECORDS + path, body, Map.of());
    }

    HttpResponse<String> raw(String method, String fullPath, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(erp.baseUrl() + fullPath))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json");
        if (token != null && !headers.containsKey("Authorization")) {
            builder.header("Authorization", "Bearer " + token);
        }
        headers.forEach(builder::header);
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            if (!headers.containsKey("Content-Type")) builder.header("Content-Type", "application/json");
            builder.method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends and expects 204; returns the internal id of the record in Location. */
    String ok(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = send(method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(204);
        String location = response.headers().firstValue("Location").orElse("");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send("GET", path, null);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    /** The first o:errorDetails entry of a NetSuite error with the status given. */
    JsonNode error(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json.readTree(response.body());
        assertThat(body.path("status").asInt()).isEqualTo(status);
        return body.path("o:errorDetails").get(0);
    }

    /** Sends, expects 400 with the code and error path given, and returns the detail text. */
    String refused(String method, String path, String body, String code, String errorPath)
            throws IOException, InterruptedException {
        JsonNode detail = error(send(method, path, body), 400);
        assertThat(detail.path("o:errorCode").asText()).as(detail.toString()).isEqualTo(code);
        if (errorPath != null) {
            assertThat(detail.path("o:errorPath").asText()).as(detail.toString()).isEqualTo(errorPath);
        }
        return detail.path("detail").asText();
    }
}
