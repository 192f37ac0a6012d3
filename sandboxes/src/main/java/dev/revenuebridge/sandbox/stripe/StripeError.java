package dev.revenuebridge.sandbox.stripe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answered in Stripe's shape: {@code {"error":{"type":..,"code":..,"param":..,"message":..}}}.
 * {@link #validation()} errors are rejections of the request's parameters, which Stripe does not store under an
 * idempotency key; the others are outcomes of a request that began executing, which it does store.
 */
final class StripeError extends RuntimeException {

    static final String INVALID_REQUEST = "invalid_request_error";

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final boolean validation;

    private StripeError(int status, String type, String code, String param, String message, boolean validation) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.validation = validation;
    }

    // ---- parameter validation (not stored under an idempotency key) ----

    static StripeError unknownParameter(String param) {
        return new StripeError(400, INVALID_REQUEST, "parameter_unknown", param,
                "Received unknown parameter: " + param, true);
    }

    static StripeError missingParameter(String param) {
        return new StripeError(400, INVALID_REQUEST, "parameter_missing", param,
                "Missing required param: " + param + ".", true);
    }

    static StripeError emptyParameter(String param) {
        return new StripeError(400, INVALID_REQUEST, "parameter_invalid_empty", param,
                "You passed an empty string for '" + param + "'. We assume empty values are an attempt to unset a "
                        + "parameter; however '" + param + "' cannot be unset. You should remove '" + param
                        + "' from your request or supply a non-empty value.", true);
    }

    static StripeError invalidInteger(String param, String value) {
        return new StripeError(400, INVALID_REQUEST, "parameter_invalid_integer", param,
                "Invalid integer: " + value, true);
    }

    static StripeError exclusive(String param, String... names) {
        return new StripeError(400, INVALID_REQUEST, "parameters_exclusive", param,
                "You may only specify one of these parameters: " + String.join(", ", names) + ".", true);
    }

    /** A parameter with a wrong value; Stripe gives these no code. */
    static StripeError invalid(String param, String message) {
        return new StripeError(400, INVALID_REQUEST, null, param, message, true);
    }

    // ---- outcomes of an executed request (stored under an idempotency key) ----

    /** An object named in the URL that does not exist: 404. */
    static StripeError noSuchObject(String noun, String id) {
        return new StripeError(404, INVALID_REQUEST, "resource_missing", "id",
                "No such " + noun + ": '" + id + "'", false);
    }

    /** An object named by a parameter that does not exist: 400. */
    static StripeError noSuchReference(String param, String noun, String id) {
        return new StripeError(400, INVALID_REQUEST, "resource_missing", param,
                "No such " + noun + ": '" + id + "'", false);
    }

    static StripeError alreadyExists(String param, String message) {
        return new StripeError(400, INVALID_REQUEST, "resource_already_exists", param, message, false);
    }

    /** A request that is well formed but not allowed in the object's current state. */
    static StripeError state(String code, String param, String message) {
        return new StripeError(400, INVALID_REQUEST, code, param, message, false);
    }

    // ---- protocol-level errors ----

    static StripeError unrecognizedUrl(String method, String path) {
        return new StripeError(404, INVALID_REQUEST, null, null,
                "Unrecognized request URL (" + method + ": " + path + "). Please see https://stripe.com/docs or we "
                        + "can help at https://support.stripe.com/.", false);
    }

    /** A Stripe-Version header asking for a version other than the one the sandbox speaks. */
    static StripeError apiVersionNotSpoken(String asked, String spoken) {
        return new StripeError(400, INVALID_REQUEST, null, null,
                "Invalid Stripe API version: " + asked + ". The revenue-bridge Stripe sandbox speaks only API version "
                        + spoken + ", the version the stripe-java SDK on its classpath pins; send Stripe-Version: "
                        + spoken + " or no Stripe-Version header.", false);
    }

    static StripeError authentication(String message) {
        return new StripeError(401, INVALID_REQUEST, null, null, message, false);
    }

    static StripeError rateLimited() {
        return new StripeError(429, INVALID_REQUEST, "rate_limit", null,
                "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
                false);
    }

    static StripeError idempotencyMismatch(String key) {
        return new StripeError(400, "idempotency_error", null, null,
                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                        + "Try using a key other than '" + key + "' if you meant to execute a different request.",
                false);
    }

    static StripeError idempotencyKeyInUse(String key) {
        return new StripeError(409, INVALID_REQUEST, "idempotency_key_in_use", null,
                "There is currently another in-progress request using this Stripe idempotency key (that probably "
                        + "means you submitted twice, and the other request is still going through): " + key
                        + ". Please try again later.", false);
    }

    /** A valid Stripe endpoint this sandbox does not simulate: a limit of the sandbox, not a Stripe answer. */
    static StripeError notSimulated(String method, String template) {
        return new StripeError(501, "api_error", null, null,
                "The revenue-bridge Stripe sandbox does not simulate " + method + " " + template
                        + " (a valid Stripe endpoint).", false);
    }

    /** A defect of the sandbox itself, answered as Stripe answers its own failures. */
    static StripeError internal(String detail) {
        return new StripeError(500, "api_error", null, null,
                "The revenue-bridge Stripe sandbox failed on this request: " + detail, false);
    }

    /** The error that Faults injects, in the shape Stripe gives that status. */
    static StripeError injected(int status) {
        if (status == 429) {
            return new StripeError(429, INVALID_REQUEST, "rate_limit", null,
                    "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
                    false);
        }
        if (status == 401) {
            return authentication("Invalid API Key provided (injected by the sandbox).");
        }
        if (status == 409) {
            return new StripeError(409, INVALID_REQUEST, "lock_timeout", null,
                    "This object cannot be accessed right now because another API request or Stripe process is "
                            + "currently accessing it (injected by the sandbox).", false);
        }
        if (status >= 500) {
            return new StripeError(status, "api_error", null, null,
                    "An unknown error occurred (injected by the sandbox, HTTP " + status + ").", false);
        }
        return new StripeError(status, INVALID_REQUEST, null, null,
                "The request failed (injected by the sandbox, HTTP " + status + ").", false);
    }

    int status() { return status; }
    String type() { return type; }
    String code() { return code; }
    String param() { return param; }
    boolean validation() { return validation; }

    /** Whether Stripe would send {@code Stripe-Should-Retry: true} with this error. */
    boolean shouldRetry() { return status == 429 || status == 409 || status >= 500; }

    Map<String, Object> body(String requestId) {
        Map<String, Object> error = new LinkedHashMap<>();
        if (code != null) {
            error.put("code", code);
            error.put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
        }
        error.put("message", getMessage());
        if (param != null) error.put("param", param);
        if (requestId != null) error.put("request_log_url", "https://dashboard.stripe.com/test/logs/" + requestId);
        error.put("type", type);
        return Map.of("error", error);
    }
}
