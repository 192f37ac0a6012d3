package dev.revenuebridge.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Relative-SSP allocation to the cent: exact totals, deterministic ties, zero weights. */
class RevenueAllocatorTest {

    private final RevenueAllocator allocator = new RevenueAllocator();

    @Test
    void equalRemaindersGoToTheEarlierLine() {
        assertThat(allocator.allocate(new BigDecimal("100.00"), List.of(d("1"), d("1"), d("1")), 2))
                .containsExactly(d("33.34"), d("33.33"), d("33.33"));
        assertThat(allocator.allocate(new BigDecimal("0.02"), List.of(d("5"), d("5"), d("5")), 2))
                .containsExactly(d("0.01"), d("0.01"), d("0.00"));
    }

    @Test
    void theLargestRemainderWinsOverLineOrder() {
        // exact shares 33.333..., 66.666...: the cent left goes to the second line's larger remainder
        assertThat(allocator.allocate(new BigDecimal("100.00"), List.of(d("1.00"), d("2.00")), 2))
                .containsExactly(d("33.33"), d("66.67"));
    }

    @Test
    void aZeroStandaloneSellingPriceGetsNothingAndCurrenciesWithoutCentsWork() {
        assertThat(allocator.allocate(new BigDecimal("1000"), List.of(d("0"), d("3"), d("0"), d("3")), 0))
                .containsExactly(d("0"), d("500"), d("0"), d("500"));
    }

    @Test
    void aPriceWithNothingToAllocateByIsRefused() {
        assertThatThrownBy(() -> allocator.allocate(new BigDecimal("10.00"), List.of(d("0.00")), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> allocator.allocate(new BigDecimal("10.005"), List.of(d("1")), 2))
                .hasMessageContaining("not a whole number of minor units");
        assertThat(allocator.allocate(new BigDecimal("0.00"), List.of(d("0.00"), d("0.00")), 2))
                .containsExactly(d("0.00"), d("0.00"));
    }

    private static BigDecimal d(String value) {
        return new BigDecimal(value);
    }
}
