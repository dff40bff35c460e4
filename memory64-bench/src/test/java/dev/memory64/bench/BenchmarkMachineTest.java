package dev.memory64.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The machine facts of the report. */
class BenchmarkMachineTest {

    @Test
    void givesMemInfoKibibytesInBinaryUnitsAndAnythingElseAsItIs() {
        assertEquals("23.5 GiB", BenchmarkMachine.formatKiB("24683620 kB"));
        // Through the project's one byte formatter: a whole value has no decimal ("16.0 GiB"
        // before).
        assertEquals("16 GiB", BenchmarkMachine.formatKiB("  16777216 kB"));
        assertEquals("512 MiB", BenchmarkMachine.formatKiB("524288 kB"));
        assertEquals("unknown", BenchmarkMachine.formatKiB(""));
        assertEquals("12 MB", BenchmarkMachine.formatKiB("12 MB"));
        assertEquals("-5 kB", BenchmarkMachine.formatKiB("-5 kB"));
        assertEquals("x kB", BenchmarkMachine.formatKiB("x kB"));
    }
}
