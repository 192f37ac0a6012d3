package dev.revenuebridge.revenue;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a ratable obligation's allocation is spread over the calendar months of its service period (see
 * {@link RevenueScheduler} for the exact rules). Set with {@code revenue.recognition.convention}.
 */
public enum Convention {
    /** Equal amounts for whole calendar months; first and last partial months prorated by days in that month. */
    MONTHLY,
    /** Proportional to the days of service in each month. */
    DAILY;

    /** Reads the setting, in any case ({@code monthly}, {@code DAILY}); names the allowed values if it is neither. */
    public static Convention of(String setting) {
        String value = setting == null ? "" : setting.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(c -> c.name().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("revenue.recognition.convention is '" + setting
                        + "'; it must be monthly or daily"));
    }
}
