package dev.memory64.bench.support;

import dev.memory64.ResidencyPolicy;

/**
 * A residency policy as the bench's command lines spell it: {@code off}, {@code layers:B:A} (B
 * layers behind, A ahead) or {@code bytes:B:A} (B and A in MiB).
 */
public final class ResidencySpec {

    /** What {@code --help} texts say the option takes. */
    public static final String FORMS = "off, layers:BEHIND:AHEAD or bytes:BEHIND_MIB:AHEAD_MIB";

    private ResidencySpec() {}

    /**
     * Parses a policy.
     *
     * @param spec the text
     * @return the policy
     * @throws IllegalArgumentException naming the text if it is none of the forms
     */
    public static ResidencyPolicy parse(String spec) {
        String[] p = spec.split(":", -1);
        try {
            if (p.length == 1 && p[0].equals("off")) {
                return ResidencyPolicy.off();
            }
            if (p.length == 3 && p[0].equals("layers")) {
                return ResidencyPolicy.layers(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
            }
            if (p.length == 3 && p[0].equals("bytes")) {
                return ResidencyPolicy.bytes(
                        Math.multiplyExact(Long.parseLong(p[1]), 1L << 20),
                        Math.multiplyExact(Long.parseLong(p[2]), 1L << 20));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--residency " + spec + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("--residency " + spec + ": not one of " + FORMS);
    }

    /**
     * Spells a policy the way {@link #parse} reads it.
     *
     * @param policy the policy
     * @return the text
     */
    public static String format(ResidencyPolicy policy) {
        return switch (policy.unit()) {
            case OFF -> "off";
            case LAYERS -> "layers:" + policy.behind() + ":" + policy.ahead();
            case BYTES -> "bytes:" + (policy.behind() >> 20) + ":" + (policy.ahead() >> 20);
        };
    }
}
