package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The one reader of {@code /proc/self/status}. */
class ProcStatusTest {

    @Test
    void parsesKibibytesAndRejectsAnythingElse() {
        assertEquals(24683620L * 1024, ProcStatus.parseKiB("\t  24683620 kB"));
        assertEquals(0, ProcStatus.parseKiB(" 0 kB"));
        assertEquals(-1, ProcStatus.parseKiB(" 12 MB"));
        assertEquals(-1, ProcStatus.parseKiB(" 12"));
        assertEquals(-1, ProcStatus.parseKiB(" x kB"));
        assertEquals(-1, ProcStatus.parseKiB(" 9223372036854775807 kB"), "overflows a long");
    }

    @Test
    void readsThisProcesssFiguresOnLinux() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
        long resident = ProcStatus.residentBytes();
        assertTrue(resident > 0, "VmRSS " + resident);
        assertTrue(ProcStatus.peakResidentBytes() >= resident, "VmHWM below VmRSS");
        assertTrue(ProcStatus.fileResidentBytes() >= 0, "no RssFile");
    }

    @Test
    void readsMinorFaultsAfterACommandNameWithSpacesAndParentheses() {
        assertEquals(
                4242,
                ProcStatus.minorFaults(
                        "123 (my (odd) thread) R 1 123 123 0 -1 4194304 4242 0 7 0 5 3 0 0"));
        assertEquals(-1, ProcStatus.minorFaults("123 (short) R 1 2"));
        assertEquals(-1, ProcStatus.minorFaults("no parenthesis"));
        assertEquals(-1, ProcStatus.minorFaults("1 (x) R 1 1 1 0 -1 0 many 0"));
    }
}
