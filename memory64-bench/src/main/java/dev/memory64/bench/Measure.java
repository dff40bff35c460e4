package dev.memory64.bench;

import java.util.Locale;

/**
 * A value and the half-width of its 99.9% confidence interval (NaN if unknown), as JMH reports a
 * score, and the ratios and scalings of such values.
 *
 * @param value the value
 * @param error the half-width of its confidence interval, or NaN
 */
record Measure(double value, double error) {

    /** This over {@code base}, relative errors combined in quadrature. */
    Measure over(Measure base) {
        double ratio = value / base.value;
        return new Measure(ratio, ratio * Math.hypot(error / value, base.error / base.value));
    }

    /** This minus {@code other}, errors combined in quadrature. */
    Measure minus(Measure other) {
        return new Measure(value - other.value, Math.hypot(error, other.error));
    }

    /** This times a constant. */
    Measure times(double factor) {
        return new Measure(value * factor, error * factor);
    }

    /** The value and its error in a {@code String.format} pattern: {@code 0.98 ± 0.05}. */
    String format(String pattern) {
        String v = String.format(Locale.ROOT, pattern, value);
        return Double.isNaN(error)
                ? v + " ± ?"
                : v + " ± " + String.format(Locale.ROOT, pattern, error);
    }

    /** {@code a} over {@code b}, or null if either is null (not measured). */
    static Measure ratio(Measure a, Measure b) {
        return a == null || b == null ? null : a.over(b);
    }
}
