package dev.memory64.internal;

import java.util.Locale;

/** The one formatter of byte counts for messages, logs and reports. */
public final class Bytes {

    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

    private Bytes() {}

    /**
     * Formats a byte count read as unsigned with binary units: {@code 1 KiB}, {@code 1.5 GiB}.
     *
     * @param bytes the count, unsigned
     * @return one decimal where the value is not whole, in {@link Locale#ROOT}
     */
    public static String binary(long bytes) {
        if (bytes >= 0 && bytes < 1024) {
            return bytes + " B";
        }
        double value = unsigned(bytes);
        int unit = 0;
        // "%.1f" rounds half up, so from 1023.95 on a value would show as "1024.0": step up instead
        while (value >= 1023.95 && unit < BINARY.length - 1) {
            value /= 1024;
            unit++;
        }
        if (value == Math.rint(value)) {
            return (long) value + " " + BINARY[unit];
        }
        return String.format(Locale.ROOT, "%.1f %s", value, BINARY[unit]);
    }

    /**
     * Formats a byte count read as unsigned with decimal units and two decimals, as disk and model
     * sizes are quoted: {@code 4.63 GB}.
     *
     * @param bytes the count, unsigned
     * @return the text, in {@link Locale#ROOT}
     */
    public static String decimal(long bytes) {
        if (bytes >= 0 && bytes < 1000) {
            return bytes + " B";
        }
        double value = unsigned(bytes);
        int unit = 0;
        // "%.2f" rounds half up, so from 999.995 on a value would show as "1000.00": step up
        // instead
        while (value >= 999.995 && unit < DECIMAL.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", value, DECIMAL[unit]);
    }

    private static double unsigned(long bytes) {
        return bytes >= 0 ? bytes : Math.scalb((double) (bytes >>> 1), 1);
    }
}
