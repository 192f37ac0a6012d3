package dev.revenuebridge.security;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What never reaches a log line: emails, tax ids, API keys, signing secrets, bearer tokens, JWTs, private keys and
 * passwords in forms or JSON, plus the exact value of every secret the bridge is configured with
 * ({@link SecretValues}). Applied to every message and stack trace by the conversion words of logback-spring.xml.
 */
public final class LogMasking {

    private LogMasking() {
    }

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
                    "[private key]"),
            new Rule(Pattern.compile("\\b(sk|rk)_(live|test)_[A-Za-z0-9]+"), "$1_$2_***"),
            new Rule(Pattern.compile("\\bwhsec_[A-Za-z0-9]+"), "whsec_***"),
            new Rule(Pattern.compile("(?i)\\b(bearer|oauth)\\s+[A-Za-z0-9._~+/=!-]{8,}"), "$1 ***"),
            new Rule(Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*"), "[jwt]"),
            new Rule(Pattern.compile("(?i)\\b(password|passwd|secret|client_secret|token|access_token|refresh_token|assertion"
                    + "|client_assertion|api[_-]?key)=([^&\\s\"',;]+)"), "$1=***"),
            new Rule(Pattern.compile("(?i)\"(password|secret|client_secret|token|access_token|refresh_token|assertion"
                    + "|api_?key|Tax_Id__c|vatRegNumber|tax_id|Billing_Email__c|email)\"\\s*:\\s*\"[^\"]*\""), "\"$1\":\"***\""),
            // matched only from the start of a run of local-part characters, without backtracking into it: as plain
            // [...]+@ the scan tried every position of a long run (a URL-encoded SOQL query in a retry's log line is
            // 1,000 of them) and cost milliseconds a line, a third of the bridge's CPU in the ceiling benchmark
            new Rule(Pattern.compile("(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"), "[email]"),
            // EU VAT ids (country prefix and 8 to 12 characters, at least 7 digits), as on the Account's Tax_Id__c
            new Rule(Pattern.compile("\\b(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI"
                    + "|SK)U?[0-9]{7,12}[A-Z0-9]?\\b"), "[tax id]"));

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    /** Adds a configured secret's exact value (values shorter than 6 characters are not worth masking). */
    public static void addSecret(String value) {
        if (value != null && value.trim().length() >= 6) {
            SECRETS.add(value.trim());
        }
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : SECRETS) {
            if (out.contains(secret)) {
                out = out.replace(secret, "***");
            }
        }
        for (Rule rule : RULES) {
            Matcher matcher = rule.pattern().matcher(out);
            if (matcher.find()) {
                out = matcher.replaceAll(rule.replacement());
            }
        }
        return out;
    }
}
