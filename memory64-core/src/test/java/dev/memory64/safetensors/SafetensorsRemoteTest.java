package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.RegionBacking;
import dev.memory64.RemoteOptions;
import dev.memory64.testkit.Nginx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors checkpoints opened over HTTP from nginx: a single file, a sharded one by its index's
 * URI and by a shard's, the config beside read; the same tensors, bytes and metadata as the files.
 */
class SafetensorsRemoteTest {
    @TempDir Path root;
    @TempDir Path work;
    @TempDir Path cache;

    private SafetensorsModel remote(URI uri) throws Exception {
        return SafetensorsModel.builder(uri)
                .withCacheDirectory(cache)
                .withRemoteOptions(RemoteOptions.defaults().withChunkSize(64 << 10))
                .open();
    }

    @Test
    void aFileAShardAndAnIndexOpenByUriAsTheirFiles() throws Exception {
        List<Checkpoints.Tensor> tensors = Checkpoints.llama(3);
        Path single = Files.createDirectory(root.resolve("single"));
        Checkpoints.single(single, tensors);
        Files.writeString(single.resolve("config.json"), Checkpoints.CONFIG);
        Path sharded = Files.createDirectory(root.resolve("sharded"));
        Checkpoints.writer(tensors).writeSharded(sharded, "model", 3);
        try (Nginx nginx = Nginx.start(root, work)) {
            try (SafetensorsModel model = remote(nginx.uri("single/model.safetensors"));
                    SafetensorsModel local =
                            SafetensorsModel.open(single.resolve("model.safetensors"))) {
                assertTrue(model.store().backing(0) instanceof RegionBacking.Remote);
                assertEquals(List.of(nginx.uri("single/model.safetensors")), model.uris());
                assertEquals(List.of(), model.paths());
                SafetensorsModelTest.assertHolds(tensors, model.store());
                assertEquals(local.store().metadata().keys(), model.store().metadata().keys());
                assertTrue(model.store().metadata().get("config.hidden_size").isPresent());
            }
            for (String given :
                    List.of(
                            "sharded/model.safetensors.index.json",
                            "sharded/model-00002-of-00003.safetensors")) {
                try (SafetensorsModel model = remote(nginx.uri(given))) {
                    assertEquals(3, model.uris().size(), given);
                    assertEquals(
                            nginx.uri("sharded/model-00001-of-00003.safetensors"),
                            model.uris().get(0));
                    SafetensorsModelTest.assertHolds(tensors, model.store());
                    assertFalse(
                            model.store().metadata().get("config.hidden_size").isPresent(),
                            "no config.json beside: none read");
                }
            }
        }
    }

    @Test
    void anIndexOrPartsPassedWithOthersOrANonHttpUriAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> SafetensorsModel.open(URI.create("ftp://example.org/model.safetensors")));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        SafetensorsModel.open(
                                root.resolve("model.safetensors.index.json"),
                                root.resolve("model-00001-of-00002.safetensors")));
    }
}
