package dev.revenuebridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.revenuebridge.deal.ExchangeData;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The data between routes and beans is declared: every exchange property and header a route file sets or reads, and
 * every one a bean takes by {@code @ExchangeProperty} or {@code @Header}, is one of {@link ExchangeData}'s (Camel's and
 * HTTP's own headers aside), so a typo in a name is a failing build, not a null at run time.
 */
class ExchangeDataTest {

    static final Pattern ROUTE_NAMES = Pattern.compile(
            "set(Property|Header):\\s*\\n\\s*(?:id: [^\\n]*\\n\\s*)?(?:description: [^\\n]*\\n\\s*)?name: (\\w+)"
                    + "|remove(Property|Header):\\s*\\n\\s*name: (\\w+)|(exchangeProperty|header)\\.(\\w+)");
    static final Pattern BEAN_NAMES = Pattern.compile("@(?:org\\.apache\\.camel\\.)?(ExchangeProperty|Header)\\(\"([\\w-]+)\"\\)");

    @Test
    void everyPropertyAndHeaderIsDeclared() throws IOException {
        Set<String> declared = declared();
        Set<String> undeclared = new TreeSet<>();
        try (Stream<Path> routes = Files.walk(Path.of("routes"))) {
            for (Path file : routes.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Matcher m = ROUTE_NAMES.matcher(Files.readString(file));
                while (m.find()) {
                    String name = m.group(2) != null ? m.group(2) : m.group(4) != null ? m.group(4) : m.group(6);
                    if (!declared.contains(name) && !camelsOrHttps(name)) {
                        undeclared.add(file + ": " + name);
                    }
                }
            }
        }
        try (Stream<Path> sources = Files.walk(Path.of("bridge/src/main/java"))) {
            for (Path file : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = BEAN_NAMES.matcher(Files.readString(file));
                while (m.find()) {
                    if (!declared.contains(m.group(2)) && !camelsOrHttps(m.group(2))) {
                        undeclared.add(file.getFileName() + ": " + m.group(2));
                    }
                }
            }
        }
        assertThat(undeclared).as("names not declared in ExchangeData").isEmpty();
    }

    @Test
    void theCheckFindsAnUndeclaredName() {
        Matcher m = ROUTE_NAMES.matcher("- setProperty:\n    name: stripeCustomerID\n");
        assertThat(m.find()).isTrue();
        assertThat(declared()).doesNotContain(m.group(2)).contains("stripeCustomerId");
    }

    private static boolean camelsOrHttps(String name) {
        return name.startsWith("Camel") || name.startsWith("kafka") || Set.of("Content", "Content-Type", "Location", "Prefer")
                .contains(name);
    }

    private static Set<String> declared() {
        return Stream.of(ExchangeData.class.getDeclaredClasses()).flatMap(c -> Stream.of(c.getDeclaredFields()))
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(ExchangeDataTest::value).collect(Collectors.toSet());
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
