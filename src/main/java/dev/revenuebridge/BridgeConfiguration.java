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

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Keys of deal events already applied (Opportunity id + commit number), in camel_messageprocessed. */
    @Bean("processedDealEvents")
    JdbcMessageIdRepository processedDealEvents(DataSource dataSource, JdbcTemplate jdbcTemplate) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository();
        repository.setProcessorName("deal-sync");
        repository.setJdbcTemplate(jdbcTemplate);
        repository.setTransactionTemplate(new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
        return repository;
    }
}
