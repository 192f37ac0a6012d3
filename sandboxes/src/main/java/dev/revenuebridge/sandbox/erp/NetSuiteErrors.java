package dev.revenuebridge.sandbox.erp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NetSuite's REST error shape: an RFC 9457 problem document whose {@code o:errorDetails} carry NetSuite's own
 * error code and, for body errors, the JSON path of the offending value. Sent as
 * {@code application/vnd.oracle.resource+json; type=error}.
 */
final class NetSuiteErrors {

    static final String CONTENT_TYPE = "application/vnd.oracle.resource+json; type=error";

    // NetSuite's documented code for a REST web services call with a bad or missing token.
    static final String INVALID_LOGIN = "INVALID_LOGIN";
    static final String INVALID_CONTENT = "INVALID_CONTENT";
    static final String INVALID_VALUE = "INVALID_VALUE";
    static final String INVALID_PARAMETER = "INVALID_PARAMETER";
    static final String INVALID_HEADER = "INVALID_HEADER";
    static final String USER_ERROR = "USER_ERROR";
    static final String NONEXISTENT_ID = "NONEXISTENT_ID";
    static final String INVALID_RCRD_TYPE = "INVALID_RCRD_TYPE";
    static final String INVALID_METHOD = "INVALID_METHOD";
    static final String INSUFFICIENT_PERMISSION = "INSUFFICIENT_PERMISSION";
    static final String CONCURRENCY_LIMIT_EXCEEDED = "CONCURRENCY_LIMIT_EXCEEDED";
    static final String UNEXPECTED_ERROR = "UNEXPECTED_ERROR";
    static final String SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE";

    static final String INVALID_LOGIN_DETAIL = "Invalid login attempt. For more details, see the Login Audit Trail in "
            + "the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.";
    static final String CONCURRENCY_DETAIL = "Concurrent request limit exceeded. Request blocked.";
    static final String NONEXISTENT_DETAIL = "The record instance does not exist. Provide a valid record instance ID.";

    private NetSuiteErrors() {
    }

    /** A request NetSuite refuses; thrown anywhere below the HTTP handler and answered as a problem document. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;
        private final String path;
        private final String header;

        Failure(int status, String code, String detail, String path) {
            this(status, code, detail, path, null);
        }

        Failure(int status, String code, String detail, String path, String header) {
            super(detail, null, false, false);
            this.status = status;
            this.code = code;
            this.path = path;
            this.header = header;
        }

        int status() { return status; }
        String code() { return code; }

        Map<String, Object> body() {
            Map<String, Object> body = problem(status, code, getMessage(), path);
            if (header != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> item = (Map<String, Object>) ((List<?>) body.get("o:errorDetails")).get(0);
                item.put("o:errorHeader", header);
            }
            return body;
        }
    }

    static Failure badRequest(String code, String detail, String path) {
        return new Failure(400, code, detail, path);
    }

    /** A request header NetSuite refuses; o:errorHeader names it ("Error Handling in REST Web Services"). */
    static Failure badHeader(String header, String detail) {
        return new Failure(400, INVALID_HEADER, detail, null, header);
    }

    static Failure invalidField(String path) {
        return badRequest(INVALID_CONTENT,
                "Error while accessing a resource. You have entered an invalid field: " + path + ".", path);
    }

    static Failure invalidReference(String path, Object value, String field) {
        return badRequest(INVALID_CONTENT, "Error while accessing a resource. You have entered an Invalid Field Value "
                + value + " for the following field: " + field, path);
    }

    static Failure missingValue(String path, String label) {
        return badRequest(USER_ERROR, "Error while accessing a resource. Please enter value(s) for: " + label + ".", path);
    }

    static Failure wrongType(String path, String expected) {
        return badRequest(INVALID_CONTENT, "Error while accessing a resource. Invalid content for field " + path
                + ": expected " + expected + ".", path);
    }

    static Failure invalidValue(String path, String detail) {
        return badRequest(INVALID_VALUE, detail, path);
    }

    static Failure notFound() {
        return new Failure(404, NONEXISTENT_ID, NONEXISTENT_DETAIL, null);
    }

    static Failure unknownRecordType(String type) {
        return new Failure(404, INVALID_RCRD_TYPE, "Record type '" + type + "' does not exist.", null);
    }

    static Failure methodNotAllowed(String method, String path) {
        return new Failure(405, INVALID_METHOD, "The HTTP method " + method + " is not supported for " + path + ".", null);
    }

    static Failure readOnly(String type) {
        return new Failure(403, INSUFFICIENT_PERMISSION,
                "Permission Violation: this role may only view " + type + " records.", null);
    }

    /** The problem document NetSuite answers with; {@code path} (o:errorPath) is omitted when null. */
    static Map<String, Object> problem(int status, String code, String detail, String path) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("detail", detail);
        if (path != null) {
            item.put("o:errorPath", path);
        }
        item.put("o:errorCode", code);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", typeUrl(status));
        body.put("title", title(status));
        body.put("status", status);
        body.put("o:errorDetails", List.of(item));
        return body;
    }

    /** The body of a fault-switch failure: what NetSuite says for that status when nothing more specific applies. */
    static Map<String, Object> injected(int status) {
        return switch (status) {
            case 401 -> problem(status, INVALID_LOGIN, INVALID_LOGIN_DETAIL, null);
            case 404 -> problem(status, NONEXISTENT_ID, NONEXISTENT_DETAIL, null);
            case 429 -> problem(status, CONCURRENCY_LIMIT_EXCEEDED, CONCURRENCY_DETAIL, null);
            case 502, 503, 504 -> problem(status, SERVICE_UNAVAILABLE,
                    "The service is temporarily unavailable. Try the request again later.", null);
            default -> status >= 500
                    ? problem(status, UNEXPECTED_ERROR, "An unexpected error occurred. Error ID: sandbox-injected.", null)
                    : problem(status, USER_ERROR, "Error while accessing a resource. The request was refused.", null);
        };
    }

    static String typeUrl(int status) {
        String section = switch (status) {
            case 400 -> "15.5.1";
            case 401 -> "15.5.2";
            case 403 -> "15.5.4";
            case 404 -> "15.5.5";
            case 405 -> "15.5.6";
            case 409 -> "15.5.10";
            case 415 -> "15.5.16";
            case 500 -> "15.6.1";
            case 502 -> "15.6.3";
            case 503 -> "15.6.4";
            case 504 -> "15.6.5";
            default -> null;
        };
        if (status == 429) {
            return "https://www.rfc-editor.org/rfc/rfc6585.html#section-4";
        }
        return "https://www.rfc-editor.org/rfc/rfc9110.html" + (section == null ? "" : "#section-" + section);
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> status >= 500 ? "Server Error" : "Client Error";
        };
    }
}
