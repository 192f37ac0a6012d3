package dev.revenuebridge.erp;

import dev.revenuebridge.throttle.ThrottleMetrics;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The NetSuite account's concurrent places as the bridge holds them: a request takes one of
 * {@code revenue.erp.max-concurrent-requests} places before it is sent and gives it back when its answer is in. A
 * request NetSuite refuses as one too many (429) keeps its place and is sent again in it, after 250 ms, doubling up to
 * 2 s, for at most {@code revenue.erp.response-timeout-ms}; only then does the 429 reach the route (and its backoff).
 * A request waits for a place at most {@code camel.component.http.connection-request-timeout} (ERP_QUEUE_TIMEOUT_MS),
 * then fails as a timeout and is retried by the route.
 * <p>
 * Why: NetSuite counts a request toward the account's limit until it completes, also one the bridge gave up on at its
 * response timeout ("Concurrency Governance and Session Management": a request times out only after 15 minutes). For
 * that while NetSuite has one place less than the bridge's pool thinks; given back at once, a refused request's place
 * would go to the next waiting request, refused at once too, and so on: a storm of 429s that uses up the deals'
 * retries (the faults benchmark: 665 refusals and 54 dead letters in 300 deals). Kept, the place waits, as one
 * request, for the one NetSuite is still working on.
 */
@Component("erpPlaces")
public class ErpPlaces implements ExecChainHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ErpPlaces.class);
    static final long FIRST_WAIT_MILLIS = 250;
    static final long LONGEST_WAIT_MILLIS = 2_000;

    private final Semaphore places;
    private final long patienceMillis;
    private final long queueTimeoutMillis;
    private final ThrottleMetrics throttles;

    @org.springframework.beans.factory.annotation.Autowired
    public ErpPlaces(@Value("${revenue.erp.max-concurrent-requests:5}") int places,
                     @Value("${revenue.erp.response-timeout-ms:60000}") long patienceMillis,
                     @Value("${camel.component.http.connection-request-timeout:120000}") long queueTimeoutMillis,
                     ThrottleMetrics throttles) {
        this.places = new Semaphore(Math.max(1, places), true);
        this.patienceMillis = patienceMillis;
        this.queueTimeoutMillis = queueTimeoutMillis;
        this.throttles = throttles;
    }

    ErpPlaces(int places, long patienceMillis, ThrottleMetrics throttles) {
        this(places, patienceMillis, 120_000, throttles);
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        try {
            // as long as a request may wait for a connection (ERP_QUEUE_TIMEOUT_MS); then it fails and is retried
            if (!places.tryAcquire(queueTimeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new org.apache.hc.core5.http.ConnectionRequestTimeoutException("no ERP place came free within "
                        + queueTimeoutMillis + " ms for " + request.getMethod() + " " + request.getRequestUri());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an ERP place");
        }
        try {
            repeatable(request, scope);
            long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(patienceMillis);
            long wait = FIRST_WAIT_MILLIS;
            while (true) {
                ClassicHttpResponse response = chain.proceed(request, scope);
                HttpEntity body = request.getEntity();
                boolean again = response.getCode() == 429 && (body == null || body.isRepeatable())
                        && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait) < giveUpAt;
                if (!again) {
                    return response;
                }
                EntityUtils.consume(response.getEntity());
                response.close();
                throttles.rejected("erp");
                LOG.debug("ERP refused {} {} as one request too many: sent again in its place in {} ms",
                        request.getMethod(), request.getRequestUri(), wait);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting to send an ERP request again");
                }
                wait = Math.min(LONGEST_WAIT_MILLIS, wait * 2);
                // the protocol step completes these headers again for the next attempt
                request.removeHeaders(org.apache.hc.core5.http.HttpHeaders.CONTENT_LENGTH);
                request.removeHeaders(org.apache.hc.core5.http.HttpHeaders.TRANSFER_ENCODING);
            }
        } finally {
            places.release();
        }
    }

    /**
     * camel-http streams a message body (not repeatable): an ERP record is small, so it is read into memory once and
     * can be sent again in the request's place. A body declared over {@value #LARGEST_BUFFERED} bytes is left streamed
     * (its 429 goes back to the route).
     */
    private static void repeatable(ClassicHttpRequest request, ExecChain.Scope scope) throws IOException {
        HttpEntity body = request.getEntity();
        if (body == null || body.isRepeatable() || body.getContentLength() > LARGEST_BUFFERED) {
            return;
        }
        HttpEntity kept = new org.apache.hc.core5.http.io.entity.ByteArrayEntity(EntityUtils.toByteArray(body),
                body.getContentType() == null ? null : org.apache.hc.core5.http.ContentType.parse(body.getContentType()),
                body.getContentEncoding());
        request.setEntity(kept);
        // the client's own retry (of a 503, say) copies the request as the caller gave it: the kept body, not the
        // stream already read here (which would leave the ERP waiting for a body until the response timeout)
        if (scope.originalRequest.getEntity() == body) {
            scope.originalRequest.setEntity(kept);
        }
    }

    static final long LARGEST_BUFFERED = 1 << 20;

    /** Places free now (for tests and diagnostics). */
    int available() { return places.availablePermits(); }
}
