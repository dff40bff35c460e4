package dev.memory64.gguf;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import org.quicktheories.core.Gen;

/** Names for property tests, joined from pieces chosen to hit a parser's edge cases. */
final class NamePieces {

    private NamePieces() {}

    /** Strings of {@code min} to {@code max} pieces, each drawn from {@code pieces}. */
    static Gen<String> joined(String[] pieces, int min, int max) {
        return lists().of(integers().between(0, pieces.length - 1))
                .ofSizeBetween(min, max)
                .map(
                        chosen -> {
                            StringBuilder text = new StringBuilder();
                            chosen.forEach(i -> text.append(pieces[i]));
                            return text.toString();
                        });
    }
}
