package dev.revenuebridge.routes;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.util.function.ThrowingConsumer;
import org.flywaydb.core.Flyway;

/**
 * A fast test of route files on their own: a plain CamelContext (no Spring, no Kafka, no sandboxes) with the route
 * files under test and every route configuration (routes/config), the beans the test binds, and AdviceWith on the step
 * ids the routes already have, typically the Kafka consumer replaced by a direct endpoint and the other routes'
 * {@code direct:} endpoints by mocks ({@code mock:direct:...}). A test that needs the bridge's state gets a PostgreSQL
 * database of its own, migrated by Flyway ({@link #database}; one embedded server per JVM, started on first use).
 */
public final class RouteHarness implements AutoCloseable {

    private static EmbeddedPostgres postgres;
    private static int databases;

    private final List<String> files = new ArrayList<>();
    private final Map<String, Object> beans = new LinkedHashMap<>();
    private final Properties properties = new Properties();
    private final Map<String, ThrowingConsumer<AdviceWithRouteBuilder, Exception>> advice = new LinkedHashMap<>();
    private final List<String> excluded = new ArrayList<>();
    private DefaultCamelContext camel;

    private RouteHarness(List<String> routeFiles) {
        files.addAll(routeFiles);
        try (var configurations = java.nio.file.Files.list(java.nio.file.Path.of("routes/config"))) {
            configurations.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().forEach(f -> files.add(f.toString()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The route files to load (paths from the project's directory), beside the route configurations. */
    public static RouteHarness of(String... routeFiles) {
        return new RouteHarness(List.of(routeFiles));
    }

    public RouteHarness bind(String name, Object bean) {
        beans.put(name, bean);
        return this;
    }

    public RouteHarness property(String key, String value) {
        properties.setProperty(key, value);
        return this;
    }

    /** Leaves out a route of the loaded files that the test does not reach (its beans need not be bound). */
    public RouteHarness without(String routeId) {
        excluded.add(routeId);
        return this;
    }

    /** AdviceWith applied to the route of this id before the context starts. */
    public RouteHarness advise(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> change) {
        advice.put(routeId, change);
        return this;
    }

    public RouteHarness start() throws Exception {
        camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(properties);
        beans.forEach(camel.getRegistry()::bind);
        // one load of all files, as the bridge loads routes/**: route configurations are set up before the routes
        var resources = files.stream().map(f -> PluginHelper.getResourceLoader(camel).resolveResource("file:" + f))
                .toArray(org.apache.camel.spi.Resource[]::new);
        PluginHelper.getRoutesLoader(camel).loadRoutes(resources);
        for (String routeId : excluded) {
            camel.removeRouteDefinition(camel.getRouteDefinition(routeId));
        }
        for (var entry : advice.entrySet()) {
            AdviceWith.adviceWith(camel, entry.getKey(), false, entry.getValue());
        }
        camel.start();
        return this;
    }

    public DefaultCamelContext camel() {
        return camel;
    }

    public ProducerTemplate producer() {
        return camel.createProducerTemplate();
    }

    public MockEndpoint mock(String uri) {
        return camel.getEndpoint("mock:" + uri, MockEndpoint.class);
    }

    @Override
    public void close() {
        if (camel != null) {
            camel.stop();
        }
    }

    /** A new, empty database with the bridge's schema (Flyway's migrations), on the JVM's embedded PostgreSQL. */
    public static synchronized DataSource database() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            }
            String name = "route_test_" + (++databases);
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            DataSource dataSource = postgres.getDatabase("postgres", name);
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            return dataSource;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("cannot start the route tests' PostgreSQL", e);
        }
    }
}
