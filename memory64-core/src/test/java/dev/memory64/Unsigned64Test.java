package dev.memory64;

import static dev.memory64.Unsigned64Generators.addOperands;
import static dev.memory64.Unsigned64Generators.independent;
import static dev.memory64.Unsigned64Generators.multiplyOperands;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.memory64.Unsigned64Generators.Operands;
import dev.memory64.internal.Bytes;
import java.math.BigInteger;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

class Unsigned64Test {

    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    private static boolean fitsIn64Bits(BigInteger value) {
        return value.signum() >= 0 && value.compareTo(TWO_TO_64) < 0;
    }

    /** The properties' runner: 10,000 examples each. */
    private static QuickTheory theory() {
        return qt().withExamples(10_000).withShrinkCycles(200);
    }

    /**
     * Checks over arbitrary operands that {@code op} gives the exact result where it fits in 64
     * bits, and otherwise throws naming the failure and both operands in unsigned decimal:
     * "unsigned 64-bit overflow: a + b" ("underflow" for a subtraction).
     */
    private static void exactOrRefused(
            Gen<Operands> operands,
            LongBinaryOperator op,
            BinaryOperator<BigInteger> exactOp,
            char operator) {
        String failure = operator == '-' ? "underflow" : "overflow";
        theory().forAll(operands)
                .checkAssert(
                        ops -> {
                            BigInteger exact = exactOp.apply(unsigned(ops.a()), unsigned(ops.b()));
                            if (fitsIn64Bits(exact)) {
                                assertEquals(exact, unsigned(op.applyAsLong(ops.a(), ops.b())));
                                return;
                            }
                            ArithmeticException e =
                                    assertThrows(
                                            ArithmeticException.class,
                                            () -> op.applyAsLong(ops.a(), ops.b()));
                            assertEquals(
                                    "unsigned 64-bit "
                                            + failure
                                            + ": "
                                            + unsigned(ops.a())
                                            + " "
                                            + operator
                                            + " "
                                            + unsigned(ops.b()),
                                    e.getMessage());
                        });
    }

    // ---- add

    @Test
    void addsValuesAboveLongMaxValueAsUnsigned() {
        assertEquals(Long.MIN_VALUE, Unsigned64.add(Long.MAX_VALUE, 1));
        assertEquals(-1L, Unsigned64.add(Long.MIN_VALUE, Long.MAX_VALUE));
        assertEquals(-1L, Unsigned64.add(-1L, 0));
    }

    @Test
    void rejectsAddPastTwoToThe64NamingBothOperandsInUnsignedDecimal() {
        ArithmeticException e =
                assertThrows(ArithmeticException.class, () -> Unsigned64.add(-1L, 1));
        assertEquals("unsigned 64-bit overflow: 18446744073709551615 + 1", e.getMessage());

        e =
                assertThrows(
                        ArithmeticException.class,
                        () -> Unsigned64.add(Long.MIN_VALUE, Long.MIN_VALUE));
        assertEquals(
                "unsigned 64-bit overflow: 9223372036854775808 + 9223372036854775808",
                e.getMessage());
    }

    @Test
    void addAgreesWithBigIntegerAndThrowsExactlyWhenTheSumDoesNotFit() {
        exactOrRefused(addOperands(), Unsigned64::add, BigInteger::add, '+');
    }

    // ---- multiply

    @Test
    void multipliesUpToTwoToThe64MinusOne() {
        // (2^32 - 1) * (2^32 + 1) = 2^64 - 1, the largest product that fits
        assertEquals(-1L, Unsigned64.multiply(0xFFFF_FFFFL, 0x1_0000_0001L));
        assertEquals(-1L, Unsigned64.multiply(3, 0x5555_5555_5555_5555L));
        assertEquals(Long.MIN_VALUE, Unsigned64.multiply(1L << 31, 1L << 32));
        assertEquals(0, Unsigned64.multiply(-1L, 0));
    }

    @Test
    void rejectsMultiplyPastTwoToThe64NamingBothOperandsInUnsignedDecimal() {
        ArithmeticException e =
                assertThrows(
                        ArithmeticException.class, () -> Unsigned64.multiply(1L << 32, 1L << 32));
        assertEquals("unsigned 64-bit overflow: 4294967296 * 4294967296", e.getMessage());

        e = assertThrows(ArithmeticException.class, () -> Unsigned64.multiply(-1L, 2));
        assertEquals("unsigned 64-bit overflow: 18446744073709551615 * 2", e.getMessage());

        // the low 64 bits of this product are 2^64 - 2^63 = 2^63: a wrapping check would pass it
        e = assertThrows(ArithmeticException.class, () -> Unsigned64.multiply(3, Long.MIN_VALUE));
        assertEquals("unsigned 64-bit overflow: 3 * 9223372036854775808", e.getMessage());
    }

    @Test
    void multiplyAgreesWithBigIntegerAndThrowsExactlyWhenTheProductDoesNotFit() {
        exactOrRefused(multiplyOperands(), Unsigned64::multiply, BigInteger::multiply, '*');
    }

    // ---- subtract

    @Test
    void subtractsDownToZero() {
        assertEquals(0, Unsigned64.subtract(-1L, -1L));
        assertEquals(Long.MAX_VALUE, Unsigned64.subtract(-1L, Long.MIN_VALUE));
        assertEquals(Long.MAX_VALUE, Unsigned64.subtract(Long.MIN_VALUE, 1));
    }

    @Test
    void rejectsSubtractBelowZeroNamingBothOperandsInUnsignedDecimal() {
        ArithmeticException e =
                assertThrows(ArithmeticException.class, () -> Unsigned64.subtract(0, 1));
        assertEquals("unsigned 64-bit underflow: 0 - 1", e.getMessage());

        // signed, Long.MAX_VALUE - (-1) would overflow to MIN_VALUE; unsigned it is 2^63-1 -
        // (2^64-1)
        e = assertThrows(ArithmeticException.class, () -> Unsigned64.subtract(Long.MAX_VALUE, -1L));
        assertEquals(
                "unsigned 64-bit underflow: 9223372036854775807 - 18446744073709551615",
                e.getMessage());
    }

    @Test
    void subtractAgreesWithBigIntegerAndThrowsExactlyWhenTheDifferenceIsNegative() {
        exactOrRefused(independent(), Unsigned64::subtract, BigInteger::subtract, '-');
    }

    // ---- compare and toString

    @Test
    void comparesMinusOneAsTheLargestValue() {
        assertTrue(Unsigned64.compare(-1L, Long.MAX_VALUE) > 0);
        assertTrue(Unsigned64.compare(Long.MIN_VALUE, Long.MAX_VALUE) > 0);
        assertTrue(Unsigned64.compare(0, -1L) < 0);
        assertEquals(0, Unsigned64.compare(-1L, Unsigned64.MAX_VALUE));
    }

    @Test
    void compareAgreesWithBigInteger() {
        theory().forAll(Unsigned64Generators.independent())
                .checkAssert(
                        ops ->
                                assertEquals(
                                        unsigned(ops.a()).compareTo(unsigned(ops.b())),
                                        Integer.signum(Unsigned64.compare(ops.a(), ops.b()))));
    }

    @Test
    void formatsMinusOneAsTwoToThe64MinusOne() {
        assertEquals("18446744073709551615", Unsigned64.toString(-1L));
        assertEquals("18446744073709551615", Unsigned64.toString(Unsigned64.MAX_VALUE));
        assertEquals("9223372036854775808", Unsigned64.toString(Long.MIN_VALUE));
        assertEquals("0", Unsigned64.toString(0));
    }

    @Test
    void toStringAgreesWithBigInteger() {
        Gen<Long> values = Unsigned64Generators.unsigned64();
        theory().forAll(values)
                .checkAssert(
                        v -> {
                            BigInteger exact = new BigInteger(Long.toHexString(v), 16);
                            assertEquals(exact.toString(), Unsigned64.toString(v));
                        });
    }

    // ---- toNonNegative

    @Test
    void keepsValuesUpToLongMaxValue() {
        assertEquals(0, Unsigned64.toNonNegative(0, "offset"));
        assertEquals(Long.MAX_VALUE, Unsigned64.toNonNegative(Long.MAX_VALUE, "offset"));
    }

    @Test
    void rejectsValuesFromTwoToThe63NamingTheValueAndTheLimit() {
        ArithmeticException e =
                assertThrows(
                        ArithmeticException.class,
                        () -> Unsigned64.toNonNegative(Long.MIN_VALUE, "offset"));
        assertEquals(
                "offset=9223372036854775808 exceeds Long.MAX_VALUE=9223372036854775807,"
                        + " the largest size of a MemorySegment",
                e.getMessage());

        e = assertThrows(ArithmeticException.class, () -> Unsigned64.toNonNegative(-1L, "len"));
        assertTrue(e.getMessage().startsWith("len=18446744073709551615 exceeds"), e.getMessage());
    }

    @Test
    void toNonNegativeThrowsExactlyFromTwoToThe63() {
        theory().forAll(Unsigned64Generators.unsigned64())
                .checkAssert(
                        v -> {
                            if (unsigned(v).bitLength() < 64) {
                                assertEquals(v, Unsigned64.toNonNegative(v, "size"));
                            } else {
                                ArithmeticException e =
                                        assertThrows(
                                                ArithmeticException.class,
                                                () -> Unsigned64.toNonNegative(v, "size"));
                                assertTrue(
                                        e.getMessage().startsWith("size=" + unsigned(v) + " "),
                                        e.getMessage());
                            }
                        });
    }

    // ---- formatBytes

    @Test
    void formatsSmallByteCountsExactly() {
        assertEquals("0 B", Bytes.binary(0));
        assertEquals("1 B", Bytes.binary(1));
        assertEquals("512 B", Bytes.binary(512));
        assertEquals("1023 B", Bytes.binary(1023));
    }

    @Test
    void formatsWholeAndFractionalBinaryUnits() {
        assertEquals("1 KiB", Bytes.binary(1024));
        assertEquals("1.5 KiB", Bytes.binary(1536));
        assertEquals("64 KiB", Bytes.binary(MemoryRegion.PAGE_SIZE));
        assertEquals("1.5 MiB", Bytes.binary(3L << 19));
        assertEquals("16 GiB", Bytes.binary(16L << 30));
        assertEquals("16 TiB", Bytes.binary(MemoryRegion.MAX_SIZE));
        assertEquals("1 PiB", Bytes.binary(1L << 50));
        assertEquals("1.0 GiB", Bytes.binary((1L << 30) + 1));
    }

    @Test
    void formatsValuesFromTwoToThe63AsUnsigned() {
        assertEquals("8 EiB", Bytes.binary(Long.MIN_VALUE));
        assertEquals("12 EiB", Bytes.binary(Long.MIN_VALUE + (1L << 62)));
        // 2^64 - 1 is not representable as a double; it rounds to 2^64
        assertEquals("16 EiB", Bytes.binary(-1L));
    }

    @Test
    void neverShowsAFractionThatRoundsUpToTheNextUnit() {
        // 1 MiB - 1 byte is 1023.999 KiB: "%.1f" alone would print "1024.0 KiB"
        assertEquals("1.0 MiB", Bytes.binary((1L << 20) - 1));
        assertEquals("1.0 GiB", Bytes.binary((1L << 30) - 1));
        // 1023.9395 KiB rounds down; 1023.9502 KiB would round to "1024.0"
        assertEquals("1023.9 KiB", Bytes.binary((1023L << 10) + 962));
        assertEquals("1.0 MiB", Bytes.binary((1023L << 10) + 973));
    }

    @Test
    void formattedByteCountIsANumberBelow1024AndABinaryUnit() {
        theory().forAll(Unsigned64Generators.unsigned64())
                .checkAssert(
                        v -> {
                            String formatted = Bytes.binary(v);
                            String[] parts = formatted.split(" ");
                            assertEquals(2, parts.length, formatted);
                            assertTrue(parts[1].matches("B|KiB|MiB|GiB|TiB|PiB|EiB"), formatted);
                            double number = Double.parseDouble(parts[0]);
                            assertTrue(number >= 0, formatted);
                            if (!parts[1].equals("EiB")) {
                                assertTrue(number < 1024, formatted);
                            }
                            // one decimal: off by at most 0.05 of the unit
                            int unit =
                                    List.of("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
                                            .indexOf(parts[1]);
                            double unitBytes = Math.scalb(1.0, 10 * unit);
                            double error = Math.abs(number * unitBytes - unsigned(v).doubleValue());
                            assertTrue(
                                    error <= 0.05 * unitBytes * (1 + 1e-9),
                                    formatted + " for " + unsigned(v));
                        });
    }
}
