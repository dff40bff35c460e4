package dev.memory64.gguf;

import dev.memory64.Memory64Store;
import dev.memory64.model.HeaderSource;
import dev.memory64.model.LayerNaming;
import dev.memory64.model.ModelFormat;
import dev.memory64.model.TensorEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** GGUF as a {@link ModelFormat}: its header parser, its split sets, its naming rule. */
final class GgufFormat implements ModelFormat<GgufFile> {

    private final long maxHeaderSize;

    GgufFormat(long maxHeaderSize) {
        this.maxHeaderSize = maxHeaderSize;
    }

    @Override
    public String name() {
        return "gguf";
    }

    @Override
    public GgufFile read(Path file) throws IOException {
        return GgufFile.read(file, maxHeaderSize);
    }

    @Override
    public GgufFile read(HeaderSource source, long size) throws IOException {
        return GgufParser.parse(source, size, maxHeaderSize);
    }

    @Override
    public List<Path> partsOf(Path named, GgufFile header, boolean files) throws IOException {
        // A file without split keys is a whole model: the split rules need not even load.
        int count = header.hasSplitKeys() ? GgufSplit.declaredCount(named, header) : 1;
        return count > 1 ? GgufSplit.siblings(named, header, count, files) : List.of(named);
    }

    /**
     * Checks that the parts form one model and puts them in part order ({@link GgufSplit#order}); a
     * whole model in one file without split keys has nothing to check.
     */
    @Override
    public void order(List<Path> names, List<GgufFile> headers) throws GgufFormatException {
        if (headers.size() > 1 || headers.get(0).hasSplitKeys()) {
            GgufSplit.order(names, headers);
        }
    }

    @Override
    public long size(GgufFile header) {
        return header.fileSize();
    }

    @Override
    public List<TensorEntry> tensors(GgufFile header) {
        List<TensorEntry> entries = new ArrayList<>(header.tensors().size());
        for (GgufTensor t : header.tensors()) {
            entries.add(GgufNaming.entry(t));
        }
        return entries;
    }

    @Override
    public LayerNaming naming() {
        return GgufNaming.INSTANCE;
    }

    @Override
    public IOException refuse(TensorEntry tensor, String why) {
        return GgufFormatException.tensorRefused(tensor, why);
    }

    @Override
    public IOException repeated(TensorEntry tensor, Path part, Path first) {
        return new GgufFormatException(
                "tensor.name",
                tensor.name(),
                tensor.offset(),
                "in " + part + " is also in " + first);
    }

    @Override
    public void addMetadata(List<GgufFile> headers, Memory64Store.Builder store) {
        // The model's metadata is the first part's header (GgufModel.file()), as a split set's
        // other parts carry only the split keys.
        store.withMetadata(GgufMetadata.of(headers.get(0)));
    }
}
