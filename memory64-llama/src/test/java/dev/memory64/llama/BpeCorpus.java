package dev.memory64.llama;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The strings the BPE tokenizer is compared on ({@code bpe-llama3-corpus.jsonl}, one JSON string a
 * line): drawn by a seeded generator from fixed pools of prose, code, numbers, white space (tabs,
 * newlines, carriage returns, no-break and ideographic spaces), contractions in both cases, emoji
 * (ZWJ sequences, skin tones, flags), CJK, other scripts (with combining marks), odd code points
 * (controls, format characters, private use, astral letters, NUL) and special tokens' text, alone
 * and mixed. Characters come from Unicode 15.0 or earlier, which both the JDK's and Node's tables
 * know. U+0085 and U+FEFF are left out: they are the two code points where JavaScript's {@code \s}
 * (the npm package's regex engine) and Unicode's White_Space (llama.cpp's and the guest's)
 * disagree.
 *
 * <p>{@code BpeTokenizerTest} checks that the committed file is this generator's output; to change
 * it, edit this class and run its {@code main} with the file's path.
 */
final class BpeCorpus {
    static final String RESOURCE = "bpe-llama3-corpus.jsonl";
    static final int SIZE = 1200;
    private static final long SEED = 0x11A3A3L;

    private static final String[] WORDS = {
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "lazy",
        "dog",
        "Once",
        "upon",
        "a",
        "time",
        "there",
        "was",
        "little",
        "girl",
        "named",
        "Lily",
        "She",
        "loved",
        "to",
        "play",
        "outside",
        "tokenizer",
        "memory",
        "WebAssembly",
        "guest",
        "host",
        "Llama",
        "model",
        "weights",
        "JVM",
        "isn't",
        "hello",
        "World",
        "HTTP",
        "JSON",
        "naïve",
        "café",
        "résumé",
        "Zürich",
        "façade",
        "coöperate",
        "Ångström",
        "straße",
        "œuvre",
        "mañana",
        "São",
        "Paulo",
        "Kraków",
        "Đà",
        "Nẵng"
    };
    private static final String[] CONTRACTIONS = {
        "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D",
        "'Re", "'rE", "'Ve", "'lL", "'x", "'", "''", "'ſ", "’s", "n't", "N'T"
    };
    private static final String[] CODE = {
        "public static void main(String[] args) {\n    System.out.println(\"hi\");\n}\n",
        "def f(x):\n\treturn x ** 2  # square\n",
        "for (int i = 0; i < n; i++) { sum += a[i] * b[i]; }",
        "if (x != NULL && x->next) {\r\n\tfree(x);\r\n}\r\n",
        "<div class=\"a\">&nbsp;</div>",
        "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;",
        "const re = /^[a-z]+$/i; // regex",
        "x = [1,2,3]; y = {'a': 1, \"b\": 2}",
        "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
        "#include <stdio.h>\n\nint main(void) { return 0; }\n",
        "    \n        indented\n\t\tmixed\t \tindent",
        "a+=b;c-=d;e*=f;g/=h;i%=j;k<<=1;l>>=2;",
        "$ ./mvnw -q -o verify -Dtest='BpeTokenizerTest'",
        "{\"key\": [true, false, null, 1.5e-3]}",
        "λx.λy.x y → ∀x∈ℕ: x ≥ 0",
    };
    private static final String[] NUMBERS = {
        "0",
        "7",
        "42",
        "123",
        "1234",
        "12345",
        "1234567890",
        "3.14159",
        "1,000,000",
        "-17",
        "2024-01-15",
        "10:45:00",
        "0x7FFF",
        "1e10",
        "99.9%",
        "$1,299.99",
        "٣٤٥",
        "１２３",
        "²³",
        "ⅫⅣ",
        "①②",
        "๑๒๓",
        "१२३४",
        "½",
        "007",
        "1st",
        "2nd",
        "3rd"
    };
    private static final String[] SPACES = {
        " ",
        "  ",
        "   ",
        "\t",
        "\t\t",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        " \n",
        "\n ",
        " \t ",
        "\u00a0",
        "\u3000",
        "\u2003",
        "\u2009",
        "\u202f",
        "\u000b",
        "\u000c",
        "\n\n\n",
        "        ",
        "\t \n\t",
        " \r\n \r\n"
    };
    private static final String[] EMOJI = {
        "😀",
        "👍",
        "👍🏽",
        "❤️",
        "👨‍👩‍👧‍👦",
        "🇫🇷",
        "🇯🇵",
        "🎉",
        "🤖",
        "☕",
        "✅",
        "🔥🔥",
        "🙏🏿",
        "🏳️‍🌈",
        "👩🏻‍💻",
        "⭐",
        "🦙"
    };
    private static final String[] CJK = {
        "日本語のテキスト",
        "東京都",
        "こんにちは世界",
        "カタカナ",
        "中文字符测试",
        "你好，世界！",
        "繁體中文",
        "한국어 텍스트",
        "안녕하세요",
        "漢字かな交じり文",
        "ｈａｌｆｗｉｄｔｈ　ｆｕｌｌ",
        "𠀋𠂉"
    };
    private static final String[] SCRIPTS = {
        "Привет, мир",
        "Ελληνικά γράμματα",
        "مرحبا بالعالم",
        "שלום עולם",
        "नमस्ते दुनिया",
        "สวัสดีชาวโลก",
        "ქართული",
        "Հայերեն",
        "ᚠᚢᚦᚨᚱᚲ",
        "e\u0301te\u0301",
        "n\u0303o",
        "Ǆemal",
        "ǅ",
        "ΣΊΣΥΦΟΣ",
        "İstanbul",
        "ıi",
        "Ωmega",
        "ß",
        "ﬁne",
        "ǈubljana"
    };
    private static final String[] ODD = {
        "\u0000",
        "\u0001",
        "\u007f",
        "\u200b",
        "\u200c",
        "\u200d",
        "\u00ad",
        "\u200e",
        "\u202e",
        "\ue000",
        "\uf8ff",
        "𝐀𝐁𝐂",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "𝟘𝟙𝟚",
        "\ufffd",
        "©®™",
        "…",
        "—",
        "«»",
        "¿¡",
        "\u2028",
        "\u2029",
        "\u0300",
        "𓀀",
        "🀄",
        "\ud83d\ude00\u0301",
        "<|",
        "|>",
        "<|eot",
        "<|begin_of_text|>",
        "<|end_of_text|>",
        "<|eot_id|>",
        "<|start_header_id|>",
        "<|end_header_id|>",
        "<|reserved_special_token_5|>",
        "<|reserved_special_token_250|>",
        "<s>",
        "</s>",
        "[INST]"
    };
    private static final String[] PUNCT = {
        ".",
        ",",
        "!",
        "?",
        ";",
        ":",
        "...",
        "!!",
        "?!",
        "-",
        "--",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "'",
        "``",
        "/",
        "\\",
        "@",
        "#",
        "&",
        "*",
        "_",
        "__init__",
        "~",
        "^",
        "|",
        "<",
        ">",
        "=",
        "=="
    };
    private static final String[][] POOLS = {
        WORDS, CONTRACTIONS, CODE, NUMBERS, SPACES, EMOJI, CJK, SCRIPTS, ODD, PUNCT
    };

    private BpeCorpus() {}

    /** The corpus: {@link #SIZE} strings, the same on every run. */
    static List<String> strings() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<String> out = new ArrayList<>(SIZE);
        // every pool entry alone first, then sentences of prose, then mixtures of every pool
        for (String[] pool : POOLS) {
            for (String s : pool) {
                out.add(s);
            }
        }
        out.add("");
        while (out.size() < 500) {
            out.add(prose(random));
        }
        while (out.size() < SIZE) {
            int parts = 1 + random.nextInt(12);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < parts; i++) {
                String[] pool = POOLS[random.nextInt(POOLS.length)];
                String piece = pool[random.nextInt(pool.length)];
                sb.append(random.nextInt(4) == 0 ? piece.toUpperCase(Locale.ROOT) : piece);
                if (random.nextInt(3) == 0) {
                    sb.append(SPACES[random.nextInt(SPACES.length)]);
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static String prose(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int words = 1 + random.nextInt(25);
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                sb.append(random.nextInt(10) == 0 ? SPACES[random.nextInt(SPACES.length)] : " ");
            }
            String w = WORDS[random.nextInt(WORDS.length)];
            int c = random.nextInt(10);
            sb.append(c == 0 ? w.toUpperCase(Locale.ROOT) : c == 1 ? capitalise(w) : w);
            if (random.nextInt(6) == 0) {
                sb.append(CONTRACTIONS[random.nextInt(CONTRACTIONS.length)]);
            }
            if (random.nextInt(5) == 0) {
                sb.append(PUNCT[random.nextInt(PUNCT.length)]);
            }
            if (random.nextInt(12) == 0) {
                sb.append(' ').append(NUMBERS[random.nextInt(NUMBERS.length)]);
            }
        }
        return sb.toString();
    }

    private static String capitalise(String w) {
        return w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1);
    }

    /** The corpus as the committed file holds it: one JSON string a line. */
    static String jsonLines(List<String> strings) {
        StringBuilder sb = new StringBuilder();
        for (String s : strings) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                    sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            sb.append("\"\n");
        }
        return sb.toString();
    }

    /**
     * Writes the corpus file.
     *
     * @param args the file's path
     * @throws IOException if it cannot be written
     */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), jsonLines(strings()), StandardCharsets.UTF_8);
    }
}
