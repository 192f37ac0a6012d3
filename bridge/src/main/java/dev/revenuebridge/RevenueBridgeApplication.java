package dev.revenuebridge;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The bridge: Salesforce Closed Won to Stripe billing and ERP records, with the ids written back. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RevenueBridgeApplication {

    public static void main(String[] args) {
        SpringApplication.run(RevenueBridgeApplication.class, args);
    }
}
