package dev.revenuebridge.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the log masking catches, and what it leaves alone (ids ops need to read). */
class LogMaskingTest {

    @Test
    void secretsAndPersonalDataAreMasked() {
        assertThat(LogMasking.mask("key sk_live_51AbCdEf and rk_test_9xYz")).isEqualTo("key sk_live_*** and rk_test_***");
        assertThat(LogMasking.mask("whsec_abc123DEF")).isEqualTo("whsec_***");
        assertThat(LogMasking.mask("Authorization: Bearer 00Dxx0000001gPL!AQ4AQFh1")).isEqualTo("Authorization: Bearer ***");
        assertThat(LogMasking.mask("assertion eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"))
                .isEqualTo("assertion [jwt]");
        assertThat(LogMasking.mask("grant_type=password&client_secret=s3cr3t&password=hunter22"))
                .isEqualTo("grant_type=password&client_secret=***&password=***");
        assertThat(LogMasking.mask("{\"Tax_Id__c\":\"123-45-6789\",\"Billing_Email__c\":\"x\"}"))
                .isEqualTo("{\"Tax_Id__c\":\"***\",\"Billing_Email__c\":\"***\"}");
        assertThat(LogMasking.mask("customer ap@acme.example, VAT DE811907980 or FR40303265045"))
                .isEqualTo("customer [email], VAT [tax id] or [tax id]");
        assertThat(LogMasking.mask("-----BEGIN PRIVATE KEY-----\nMIIEvQIB\n-----END PRIVATE KEY-----"))
                .isEqualTo("[private key]");
        LogMasking.addSecret("configured-value-42");
        assertThat(LogMasking.mask("a configured-value-42 here")).isEqualTo("a *** here");
    }

    @Test
    void anEmailInsideALongRunOfAddressCharactersIsMaskedWholeAndTheRunAroundItKept() {
        // a retry's log line carries the URL-encoded SOQL query: a run of 1,000 characters an address may contain
        String query = "q=SELECT%20Id%2C%20Name".repeat(40);
        assertThat(LogMasking.mask(query + " " + query)).isEqualTo(query + " " + query);
        assertThat(LogMasking.mask(query + " to billing.ops+eu@acme-corp.example.com, " + query))
                .isEqualTo(query + " to [email], " + query);
        assertThat(LogMasking.mask("from(billing@acme.example)")).isEqualTo("from([email])");
    }

    @Test
    void idsOpsNeedStayReadable() {
        String line = "Opportunity 006Dn00000SeedAAA: Stripe cus_QW8r2 / sub_1PqR / in_1Abc, ERP sales order 1001,"
                + " payout po_1Xyz, replay id AAAAAAAAAAI=";
        assertThat(LogMasking.mask(line)).isEqualTo(line);
    }
}
