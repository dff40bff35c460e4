package dev.memory64.safetensors;

import dev.memory64.model.ModelText;
import dev.memory64.safetensors.JsonTokens.Token;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A sharded checkpoint's index ({@code model.safetensors.index.json}): {@code weight_map} maps each
 * tensor to the file that holds it; {@code metadata} (the total size) is skipped. Each tensor is
 * named once, and each file is a plain name, beside the index.
 *
 * @param name the index's file name, for messages
 * @param weightMap the file of each tensor, in the index's order
 */
record SafetensorsIndex(String name, Map<String, String> weightMap) {

    /** The name an index has beside its shards, for shards {@code PREFIX-0000K-of-0000N}. */
    static String nameFor(String prefix) {
        return prefix + ".safetensors.index.json";
    }

    /** Whether a file name is an index's rather than a shard's. */
    static boolean isIndex(String fileName) {
        return fileName.endsWith(".json");
    }

    /** The files the index names, sorted (shard names sort in part order). */
    List<String> files() {
        return new ArrayList<>(new TreeSet<>(weightMap.values()));
    }

    /** The refusal of a file the index names that is not beside it, naming its first tensor. */
    SafetensorsFormatException missing(String file) {
        String tensor = null;
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            if (e.getValue().equals(file)) {
                tensor = e.getKey();
                break;
            }
        }
        return new SafetensorsFormatException(
                name,
                tensor,
                "index_file",
                "is mapped to " + ModelText.quote(file) + ", which is not beside the index");
    }

    static SafetensorsIndex parse(String name, byte[] bytes) throws SafetensorsFormatException {
        Map<String, String> weightMap =
                Json.read(name, bytes, 0, bytes.length, 0, new Reader(name));
        if (weightMap == null || weightMap.isEmpty()) {
            throw new SafetensorsFormatException(
                    name, null, "index", "the index has no weight_map, or an empty one");
        }
        return new SafetensorsIndex(name, Collections.unmodifiableMap(weightMap));
    }

    /** The index's grammar: an object whose {@code weight_map} is read, its other keys skipped. */
    private static final class Reader implements Json.Grammar<Map<String, String>> {
        private final String name;

        Reader(String name) {
            this.name = name;
        }

        @Override
        public Map<String, String> read(JsonTokens json) throws SafetensorsFormatException {
            Map<String, String> weightMap = null;
            if (json.nextToken() != Token.START_OBJECT) {
                throw new SafetensorsFormatException(
                        name, null, "index", "the index is not a JSON object");
            }
            for (Token t = json.nextToken(); t != Token.END_OBJECT; t = json.nextToken()) {
                String key = json.currentName();
                if (!key.equals("weight_map")) {
                    json.nextToken();
                    json.skipChildren();
                    continue;
                }
                if (weightMap != null) {
                    throw new SafetensorsFormatException(
                            name, null, "duplicate_key", "the index has weight_map twice");
                }
                weightMap = weightMap(name, json);
            }
            return weightMap;
        }
    }

    private static Map<String, String> weightMap(String name, JsonTokens json)
            throws SafetensorsFormatException {
        if (json.nextToken() != Token.START_OBJECT) {
            throw new SafetensorsFormatException(
                    name, null, "index", "weight_map is not an object of file names");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Token t = json.nextToken(); t != Token.END_OBJECT; t = json.nextToken()) {
            String tensor = json.currentName();
            if (json.nextToken() != Token.VALUE_STRING) {
                throw new SafetensorsFormatException(
                        name, tensor, "index", "is mapped to something other than a file name");
            }
            String file = json.getString();
            if (file.isEmpty()
                    || file.contains("/")
                    || file.contains("\\")
                    || file.equals(".")
                    || file.equals("..")) {
                throw new SafetensorsFormatException(
                        name,
                        tensor,
                        "index_file",
                        "is mapped to "
                                + ModelText.quote(file)
                                + ", not the plain name of a file beside the index");
            }
            String before = map.putIfAbsent(tensor, file);
            if (before != null) {
                throw new SafetensorsFormatException(
                        name,
                        tensor,
                        "duplicate_tensor",
                        "is mapped twice, to "
                                + ModelText.quote(before)
                                + " and "
                                + ModelText.quote(file));
            }
        }
        return map;
    }
}
