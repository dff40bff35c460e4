package dev.memory64.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContentRangeTest {

    @Test
    void readsASatisfiedRangeWithItsTotalOrAnUnknownOne() {
        assertEquals(new ContentRange(0, 99, 1000), ContentRange.parse("bytes 0-99/1000"));
        assertEquals(new ContentRange(5, 5, 1000), ContentRange.parse("BYTES  5-5/1000"));
        assertEquals(
                new ContentRange(7, 8, ContentRange.UNKNOWN), ContentRange.parse("bytes 7-8/*"));
    }

    @Test
    void refusesWhatIsNotASatisfiedByteRangeOfLongs() {
        assertNull(ContentRange.parse(null));
        assertNull(ContentRange.parse(""));
        assertNull(ContentRange.parse("bytes */1000"));
        assertNull(ContentRange.parse("items 0-9/10"));
        assertNull(ContentRange.parse("bytes 0-99999999999999999999/100"));
    }

    @Test
    void isExactlyTheRangeAskedForAndNamesAnotherSizeOnlyWhenItGivesOne() {
        ContentRange range = ContentRange.parse("bytes 100-199/4096");
        assertTrue(range.isExactly(100, 100));
        assertFalse(range.isExactly(100, 101));
        assertFalse(range.isExactly(99, 101));
        assertFalse(range.namesOtherSize(4096));
        assertTrue(range.namesOtherSize(4097));
        assertFalse(ContentRange.parse("bytes 100-199/*").namesOtherSize(4097));
    }

    @Test
    void theRefusalNamesTheHeaderAndTheRangeAskedFor() {
        assertEquals(
                "the answer's Content-Range \"bytes 0-9/10\" is not bytes 100-199/4096",
                ContentRange.notExactly("bytes 0-9/10", 100, 100, 4096));
    }
}
