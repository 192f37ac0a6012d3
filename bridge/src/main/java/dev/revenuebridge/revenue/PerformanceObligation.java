package dev.revenuebridge.revenue;

import dev.revenuebridge.mapping.MappingCatalog.Recognition;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A promise to transfer a distinct good or service: one per deal line. A point-in-time obligation is satisfied on
 * its delivery date; a ratable one over its service period, first and last day included.
 *
 * @param lineId                 the OpportunityLineItem id
 * @param productCode            the catalog product (Product2.ProductCode)
 * @param recognition            {@code POINT_IN_TIME} or {@code RATABLE}, from the catalog
 * @param linePrice              the line's price after discount (TotalPrice), rounded half-even to the minor unit
 * @param standaloneSellingPrice the obligation's standalone selling price as a whole: the catalog's unit SSP x
 *                               quantity, x the months of service for a recurring product; rounded half-even to the
 *                               minor unit
 * @param allocatedAmount        the share of the transaction price allocated to this obligation
 * @param deliveryDate           the date control passes (the line's ServiceDate); point-in-time obligations only
 * @param serviceStart           first day of service; ratable obligations only
 * @param serviceEnd             last day of service (inclusive); ratable obligations only
 */
public record PerformanceObligation(String lineId, String productCode, Recognition recognition, BigDecimal linePrice,
                                    BigDecimal standaloneSellingPrice, BigDecimal allocatedAmount,
                                    LocalDate deliveryDate, LocalDate serviceStart, LocalDate serviceEnd) {

    public PerformanceObligation {
        Objects.requireNonNull(lineId, "lineId");
        Objects.requireNonNull(recognition, "recognition");
        Objects.requireNonNull(allocatedAmount, "allocatedAmount");
        if (allocatedAmount.signum() < 0) {
            throw new IllegalArgumentException("Line " + lineId + ": a negative allocation " + allocatedAmount);
        }
        if (recognition == Recognition.POINT_IN_TIME && deliveryDate == null) {
            throw new IllegalArgumentException("Line " + lineId + ": a point-in-time obligation needs a delivery date");
        }
        if (recognition == Recognition.RATABLE
                && (serviceStart == null || serviceEnd == null || serviceEnd.isBefore(serviceStart))) {
            throw new IllegalArgumentException("Line " + lineId + ": a ratable obligation needs a service period, "
                    + serviceStart + " to " + serviceEnd);
        }
    }

    /**
     * How much of the price the allocation moved to (positive) or away from (negative) this line: allocated amount
     * minus line price. A free item carved out by its standalone selling price shows its whole allocation here.
     */
    public BigDecimal reallocation() {
        return allocatedAmount.subtract(linePrice);
    }
}
