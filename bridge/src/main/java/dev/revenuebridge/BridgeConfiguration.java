package dev.revenuebridge;

import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Beans the routes name: the processed-key repository of the deal consumer, and the clock. */
@Configuration(proxyBeanMethods = false)
public class BridgeConfiguration {

    /**
     * The bridge's clock. {@code revenue.clock.start} (an ISO instant) makes the bridge start as if it were that moment
     * and run on from there, like a Stripe test clock: tests and local mode use it to play a deal at its close date.
     */
    @Bean
    Clock clock(@org.springframework.beans.factory.annotation.Value("${revenue.clock.start:}") String start,
                @org.springframework.beans.factory.annotation.Value("${revenue.clock.offset:}") String offset) {
        if (offset != null && !offset.isBlank()) {
            // a fixed distance from real time: the same clock as a sandbox offset by the same duration
            return Clock.offset(Clock.systemUTC(), java.time.Duration.parse(offset));
        }
        if (start == null || start.isBlank()) {
            return Clock.systemUTC();
        }
        java.time.Instant from = java.time.Instant.parse(start);
        return Clock.offset(Clock.systemUTC(), java.time.Duration.between(java.time.Instant.now(), from));
    }

    /**
     * The retries of a technical failure (deal-error-handling's last onException, by redeliveryPolicyRef): the numbers
     * come from settings, which the Camel YAML DSL schema cannot take from a placeholder in a number field.
     */
    @Bean("dealRetries")
    org.apache.camel.processor.errorhandler.RedeliveryPolicy dealRetries(
            @org.springframework.beans.factory.annotation.Value("${revenue.retry.max-redeliveries}") int maxRedeliveries,
            @org.springframework.beans.factory.annotation.Value("${revenue.retry.initial-delay-ms}") long initialDelayMillis,
            @org.springframework.beans.factory.annotation.Value("${revenue.retry.max-delay-ms}") long maxDelayMillis) {
        org.apache.camel.processor.errorhandler.RedeliveryPolicy policy = new org.apache.camel.processor.errorhandler.RedeliveryPolicy();
        policy.setMaximumRedeliveries(maxRedeliveries);
        policy.setRedeliveryDelay(initialDelayMillis);
        policy.setMaximumRedeliveryDelay(maxDelayMillis);
        policy.setUseExponentialBackOff(true);
        policy.setBackOffMultiplier(2);
        policy.setUseCollisionAvoidance(true);
        policy.setRetryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN);
        return policy;
    }

    /** The deal consumer's offset commits, carried out on its own thread (the route's {@code kafkaClientFactory}). */
    @Bean("dealEventOffsets")
    dev.revenuebridge.kafka.DeferredOffsetCommits dealEventOffsets() {
        return new dev.revenuebridge.kafka.DeferredOffsetCommits();
    }

    /**
     * The deals in flight (revenue.kafka.deals-in-flight): the deal consumer hands each event over to deal-sync, which
     * runs many Opportunities at once and each one's events in order; an event whose route failed outright runs again
     * after the retry backoff (revenue.retry.*).
     */
    @Bean("dealsInFlight")
    dev.revenuebridge.kafka.KeyOrderedHandOff dealsInFlight(org.apache.camel.CamelContext camel,
            dev.revenuebridge.kafka.DeferredOffsetCommits dealEventOffsets, io.micrometer.core.instrument.MeterRegistry meters,
            @org.springframework.beans.factory.annotation.Value("${revenue.kafka.deals-in-flight}") int limit,
            @org.springframework.beans.factory.annotation.Value("${camel.component.salesforce.worker-pool-size}") int salesforceWorkers,
            @org.springframework.beans.factory.annotation.Value("${revenue.retry.initial-delay-ms}") long initialDelayMillis,
            @org.springframework.beans.factory.annotation.Value("${revenue.retry.max-delay-ms}") long maxDelayMillis) {
        if (salesforceWorkers < limit) {
            // a deal goes on on one of the Salesforce client's workers after its fetch (the component's calls are
            // asynchronous): fewer workers than deals in flight would hold the bridge at that many
            throw new IllegalStateException("camel.component.salesforce.worker-pool-size (SALESFORCE_WORKER_POOL_SIZE) is "
                    + salesforceWorkers + ", fewer than revenue.kafka.deals-in-flight (KAFKA_DEALS_IN_FLIGHT) " + limit
                    + ": give the Salesforce client at least as many workers as deals in flight, and a few more");
        }
        return new dev.revenuebridge.kafka.KeyOrderedHandOff(camel, "deal-sync", limit,
                java.time.Duration.ofMillis(initialDelayMillis), java.time.Duration.ofMillis(maxDelayMillis), dealEventOffsets, meters);
    }

    /** Keys of deal events already applied (Opportunity id + commit number), in camel_messageprocessed. */
    @Bean("processedDealEvents")
    JdbcMessageIdRepository processedDealEvents(DataSource dataSource, JdbcTemplate jdbcTemplate) {
        return processed("deal-sync", dataSource, jdbcTemplate);
    }

    /** Ids of Stripe events already applied, in camel_messageprocessed: Stripe delivers at least once. */
    @Bean("processedStripeEvents")
    JdbcMessageIdRepository processedStripeEvents(DataSource dataSource, JdbcTemplate jdbcTemplate) {
        return processed("stripe-events", dataSource, jdbcTemplate);
    }

    /** A JDBC idempotent repository: it needs the template and a transaction template (its dataSource is unused). */
    private static JdbcMessageIdRepository processed(String processorName, DataSource dataSource, JdbcTemplate jdbcTemplate) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository();
        repository.setProcessorName(processorName);
        repository.setJdbcTemplate(jdbcTemplate);
        repository.setTransactionTemplate(new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
        return repository;
    }

    /**
     * The payout aggregates (each payout's balance transactions gathered so far), in PostgreSQL: a payout half gathered
     * when the bridge stops is finished after the restart. A completed aggregate whose deposit fails is recovered and
     * tried again, then dead-lettered. (Not PostgresAggregationRepository: in Camel 4.17 its insert names two columns
     * and binds three, "The column index is out of range: 3"; the generic repository works on PostgreSQL's bytea.)
     */
    @Bean("payoutAggregations")
    org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository payoutAggregations(DataSource dataSource) {
        var repository = new org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository(
                new DataSourceTransactionManager(dataSource), "payout_aggregation", dataSource);
        repository.setDeserializationFilter("java.**;org.apache.camel.**;dev.revenuebridge.cash.**;!*");
        repository.setUseRecovery(true);
        repository.setRecoveryInterval(5_000);
        repository.setMaximumRedeliveries(5);
        repository.setDeadLetterUri("direct:dead-letter");
        return repository;
    }
}
