package dev.revenuebridge.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.stereotype.Component;

/**
 * Registers with {@link LogMasking} the value of every configured setting whose name says it is a secret (passwords,
 * secrets, API keys, keystore passwords, user password hashes) and the content of the key files the settings name, so
 * that no log line carries them even where no pattern would catch them.
 */
@Component
public class SecretValues {

    private static final Pattern SECRET_NAME = Pattern.compile(".*(password|secret|api-key|apikey|token|private-key).*");

    public SecretValues(ConfigurableEnvironment environment) {
        for (var source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    String lower = name.toLowerCase(Locale.ROOT).replace('_', '-');
                    if (SECRET_NAME.matcher(lower).matches()) {
                        String value = environment.getProperty(name);
                        LogMasking.addSecret(value);
                        if (lower.endsWith("file") && value != null) {
                            addFile(value);
                        }
                    }
                }
            }
        }
    }

    private static void addFile(String location) {
        try {
            Path path = Path.of(location.startsWith("file:") ? location.substring(5) : location);
            if (Files.isRegularFile(path) && Files.size(path) < 64 * 1024) {
                LogMasking.addSecret(Files.readString(path).trim());
            }
        } catch (Exception e) {
            // not readable text (a keystore): nothing to register
        }
    }
}
