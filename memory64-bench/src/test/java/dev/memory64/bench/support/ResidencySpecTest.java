package dev.memory64.bench.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.memory64.ResidencyPolicy;
import org.junit.jupiter.api.Test;

class ResidencySpecTest {

    @Test
    void parsesEveryFormAndFormatsItBack() {
        assertEquals(ResidencyPolicy.off(), ResidencySpec.parse("off"));
        assertEquals(ResidencyPolicy.layers(1, 2), ResidencySpec.parse("layers:1:2"));
        assertEquals(
                ResidencyPolicy.bytes(256L << 20, 512L << 20),
                ResidencySpec.parse("bytes:256:512"));
        for (String spec : new String[] {"off", "layers:0:3", "bytes:64:0"}) {
            assertEquals(spec, ResidencySpec.format(ResidencySpec.parse(spec)));
        }
    }

    @Test
    void rejectsWhatIsNoForm() {
        for (String spec :
                new String[] {
                    "",
                    "on",
                    "layers:1",
                    "layers:a:1",
                    "bytes:1:2:3",
                    "off:1",
                    "bytes:9223372036854775807:0"
                }) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ResidencySpec.parse(spec));
            assertEquals(
                    "--residency " + spec + ": not one of " + ResidencySpec.FORMS, e.getMessage());
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> ResidencySpec.parse("layers:-1:0"));
        assertEquals(
                "--residency layers:-1:0: residency LAYERS: behind=-1 ahead=0: both must be non-negative",
                e.getMessage());
    }
}
