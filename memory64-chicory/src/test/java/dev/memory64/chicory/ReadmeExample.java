package dev.memory64.chicory;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import dev.memory64.gguf.GgufModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's embedding example. The lines between the two marker comments are, byte for byte
 * after removing their indentation, the README's Java block: {@code GuideBlocksTest} checks that
 * and {@link ReadmeExampleTest} runs this method.
 */
final class ReadmeExample {

    private ReadmeExample() {}

    /**
     * Runs the WASI guest {@code layer_checksum} over every layer of a GGUF model.
     *
     * @param modelFile the model
     * @param guestFile {@code guests/c/layer_checksum.wasm}
     * @param out where the guest's standard output goes
     */
    static void run(Path modelFile, Path guestFile, OutputStream out) throws IOException {
        // readme-example:begin
        try (GgufModel model = GgufModel.open(modelFile)) {
            int layerIds = model.store().layers().getLast().id() + 1;
            WasiOptions options =
                    WasiOptions.builder()
                            .withStdout(out)
                            .withArguments(List.of("layer_checksum", "" + layerIds))
                            .build();
            Memory64HostFunctions memory64 = Memory64HostFunctions.builder(model.store()).build();
            try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build()) {
                ImportValues imports =
                        ImportValues.builder()
                                .addFunction(wasi.toHostFunctions())
                                .addFunction(memory64.toHostFunctions())
                                .build();
                // Instantiating runs the guest's _start: it prints every layer's checksum.
                Instance.builder(Parser.parse(guestFile)).withImportValues(imports).build();
            }
        }
        // readme-example:end
    }
}
