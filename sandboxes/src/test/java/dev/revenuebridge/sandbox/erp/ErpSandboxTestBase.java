package dev.revenuebridge.sandbox.erp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One ERP sandbox per test class, reset before each test, and (unless a class says not) a client signed in to it. */
abstract class ErpSandboxTestBase {

    protected static ErpSandbox erp;
    protected ErpTestClient client;

    @BeforeAll
    static void startSandbox() {
        erp = new ErpSandbox().start(0);
    }

    @AfterAll
    static void stopSandbox() {
        erp.close();
    }

    @BeforeEach
    void resetSandbox() {
        erp.reset();
        erp.faults().clear();
        client = signsIn() ? new ErpTestClient(erp).login() : null;
    }

    /** Whether each test starts with a client signed in through the token endpoint (counted in tokensIssued). */
    protected boolean signsIn() {
        return true;
    }
}
