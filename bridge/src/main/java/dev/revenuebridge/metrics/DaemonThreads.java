package dev.revenuebridge.metrics;

import java.util.concurrent.ThreadFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/** Background threads of the bridge's own timers (gauges, leader election): named, and never holding the JVM up. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Spring's thread factory, daemon threads named {@code name-1}, {@code name-2}, ... */
    public static ThreadFactory named(String name) {
        CustomizableThreadFactory factory = new CustomizableThreadFactory(name + "-");
        factory.setDaemon(true);
        return factory;
    }
}
