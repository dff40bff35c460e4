package dev.memory64.llama;

import dev.memory64.Memory64Store;
import dev.memory64.ModelMetadata;
import dev.memory64.RemoteOptions;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.safetensors.SafetensorsModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A llama-architecture model opened for generation: the model's weights in a memory64 store, and
 * the inference guest ({@code guests/c/llama.c}, wasm32) running over it under a {@link
 * GuestRuntime}. The guest reads everything it needs (hyperparameters, vocabulary, weights block by
 * block) through the memory64 host functions, so its memory stays bounded whatever the model's
 * size: the weight buffer, the KV cache, the activations and the vocabulary.
 *
 * <pre>{@code
 * try (Llama llama = Llama.open(Path.of("stories260K.gguf"))) {
 *     GenerationResult result =
 *             llama.generate(
 *                     "Once upon a time",
 *                     GenerationOptions.greedy(256),
 *                     (token, piece) -> System.out.writeBytes(piece));
 *     System.out.println();
 * }
 * }</pre>
 *
 * <p>A Hugging Face checkpoint opens the same way, by its {@code .safetensors} file, any shard, or
 * its {@code model.safetensors.index.json}, with its {@code config.json} (the hyperparameters) and
 * {@code tokenizer.json} (the vocabulary; {@code tokenizer_config.json} too if it is there) beside
 * it: the guest reads Hugging Face's tensor names and {@code config.*} keys, and undoes Hugging
 * Face's query and key row order (see docs/GUIDE.md).
 *
 * <p>One generation runs at a time: {@link #generate} holds the instance, and a second caller
 * waits. {@link #cancel()} and {@link #close()} may be called from any thread, the token listener's
 * included: the generation in progress stops after the token being computed.
 */
public final class Llama implements AutoCloseable {
    /** Bytes the guest's piece buffer starts with; a longer piece grows it. */
    private static final int PIECE_BYTES = 256;

    private final OpenedModel model;
    private final boolean ownsModel;
    private final GuestRuntime runtime;
    private final Guest guest;
    private final ReentrantLock lock = new ReentrantLock();
    private final int vocabularySize;
    private final int bos;
    private final int eos;
    private final int maxPositions;
    private volatile boolean cancelled;
    private volatile boolean closed;

    /** Set by {@link #close()} under the lock: only the generating thread's listener sees it. */
    private boolean guestClosed;

    private Llama(OpenedModel model, boolean ownsModel, GuestRuntime runtime, Guest guest) {
        this.model = model;
        this.ownsModel = ownsModel;
        this.runtime = runtime;
        this.guest = guest;
        this.vocabularySize = (int) guest.call("m64_vocab_size");
        this.bos = (int) guest.call("m64_bos");
        this.eos = (int) guest.call("m64_eos");
        this.maxPositions = (int) guest.call("m64_max_positions");
    }

    /**
     * Opens a local GGUF model (one file, or every file of a split set), or a Hugging Face
     * checkpoint (a file whose name ends {@code .safetensors} or {@code .safetensors.index.json}),
     * under Chicory's compiler, with the default weight buffer and as many positions as the model's
     * context length.
     *
     * @param files the model's file, or its split set's files
     * @return the opened model, to close
     * @throws IOException if a file cannot be read or is not a valid GGUF file or checkpoint, or a
     *     checkpoint has no {@value HfCheckpointConverter#CONFIG_FILE} or {@value
     *     HfCheckpointConverter#TOKENIZER_FILE} beside it ({@link NoSuchFileException} naming it)
     * @throws LlamaModelException if the guest cannot run the model
     */
    public static Llama open(Path... files) throws IOException {
        return builder(files).open();
    }

    /**
     * Returns a builder for a local GGUF model (one file, or every file of a split set) or Hugging
     * Face checkpoint (its {@code .safetensors} file, any or every shard, or its {@code
     * model.safetensors.index.json}, named so; {@value HfCheckpointConverter#CONFIG_FILE} and
     * {@value HfCheckpointConverter#TOKENIZER_FILE} beside it).
     *
     * @param files the model's file, or its split set's files
     * @return the builder
     */
    public static Builder builder(Path... files) {
        List<Path> list = List.of(files);
        if (!list.isEmpty() && isCheckpoint(list.get(0))) {
            return new Builder(options -> openCheckpoint(list), true);
        }
        return new Builder(
                options -> OpenedModel.of(GgufModel.open(list.toArray(Path[]::new))), true);
    }

    private static boolean isCheckpoint(Path file) {
        Path name = file.getFileName();
        return name != null && isCheckpointName(name.toString());
    }

    /**
     * Opens a Hugging Face checkpoint with the GGUF tokenizer keys of the tokenizer.json beside it
     * in its store's metadata.
     */
    private static OpenedModel openCheckpoint(List<Path> files) throws IOException {
        Path directory = files.get(0).toAbsolutePath().getParent();
        Path config = beside(directory, HfCheckpointConverter.CONFIG_FILE, "hyperparameters");
        Path tokenizer = beside(directory, HfCheckpointConverter.TOKENIZER_FILE, "vocabulary");
        Path tokenizerConfig = directory.resolve("tokenizer_config.json");
        Map<String, GgufValue> keys;
        try {
            keys =
                    Files.isRegularFile(tokenizerConfig)
                            ? HfTokenizerConverter.metadata(tokenizer, tokenizerConfig)
                            : HfTokenizerConverter.metadata(tokenizer);
        } catch (IllegalArgumentException e) {
            throw notRunnable(files.get(0).toString(), e);
        }
        return OpenedModel.of(
                SafetensorsModel.builder(files.toArray(Path[]::new))
                        .withMetadata(tokenizerMetadata(keys))
                        .open());
    }

    /** The refusal of a checkpoint whose tokenizer the guest cannot run. */
    static LlamaModelException notRunnable(String checkpoint, IllegalArgumentException e) {
        return new LlamaModelException(
                "cannot run the checkpoint " + checkpoint + ": " + e.getMessage(), -106);
    }

    /** The GGUF tokenizer keys as store metadata, for a checkpoint's store. */
    static ModelMetadata tokenizerMetadata(Map<String, GgufValue> keys) {
        ModelMetadata.Builder metadata = ModelMetadata.builder();
        for (Map.Entry<String, GgufValue> key : keys.entrySet()) {
            metadata.put(key.getKey(), key.getValue().toMetadataValue());
        }
        return metadata.build();
    }

    private static Path beside(Path directory, String name, String what)
            throws NoSuchFileException {
        Path file = directory.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw missing(file.toString(), name, what);
        }
        return file;
    }

    /** A checkpoint's config or tokenizer that is not beside it. */
    static NoSuchFileException missing(String where, String name, String what) {
        return new NoSuchFileException(
                where,
                null,
                "a Hugging Face checkpoint needs its " + name + " (its " + what + ") beside it");
    }

    /**
     * Returns a builder for a remote GGUF model (one URI, or a split set's) or Hugging Face
     * checkpoint (a URI whose path ends {@code .safetensors} or {@code .safetensors.index.json}),
     * over HTTP(S), {@code hf://} or any scheme a transport serves, read by range as the guest
     * needs its bytes ({@link GgufModel#open(URI...)}, {@link SafetensorsModel#open(URI...)}). A
     * checkpoint's {@value HfCheckpointConverter#CONFIG_FILE} and {@value
     * HfCheckpointConverter#TOKENIZER_FILE} are read beside its first URI (its last path segment
     * replaced), and its {@code tokenizer_config.json} if the server has one.
     *
     * @param uris the model's URI, or its split set's URIs
     * @return the builder; opening a checkpoint without its config or tokenizer beside throws a
     *     {@link NoSuchFileException} naming the URI read
     */
    public static Builder builder(URI... uris) {
        List<URI> list = List.of(uris);
        if (!list.isEmpty() && isCheckpoint(list.get(0))) {
            return new Builder(
                    options ->
                            OpenedModel.of(
                                    RemoteCheckpoint.open(
                                            list, options.remoteOptions(), options.cacheDirectory)),
                    true);
        }
        return new Builder(
                options -> {
                    return OpenedModel.of(
                            GgufModel.builder(list.toArray(URI[]::new))
                                    .withRemoteOptions(options.remoteOptions())
                                    .withCacheDirectory(options.cacheDirectory)
                                    .open());
                },
                true);
    }

    private static boolean isCheckpoint(URI uri) {
        String path = uri.getPath();
        return path != null && isCheckpointName(path);
    }

    private static boolean isCheckpointName(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json");
    }

    /**
     * Returns a builder over a model the caller opened (for its own options: a cache directory,
     * expected digests, a progress listener). The caller keeps it: closing the {@link Llama} does
     * not close the model.
     *
     * @param model the opened model
     * @return the builder
     */
    public static Builder builder(GgufModel model) {
        Objects.requireNonNull(model, "model");
        return new Builder(options -> OpenedModel.of(model), false);
    }

    /**
     * Generates text from a prompt: encodes it (a beginning-of-sequence token first), runs the
     * model over its tokens, then samples a token at a time until {@code options.steps()} positions
     * have run, the model ends the sequence, or the generation is cancelled. Each token after the
     * first goes to the listener as it is produced.
     *
     * @param prompt the prompt (may be empty)
     * @param options the steps and the sampler
     * @param listener receives each token's piece, on this thread
     * @return the text and what it cost
     * @throws IllegalStateException if this is closed
     * @throws LlamaModelException if the guest fails to run the model (its message says why)
     */
    public GenerationResult generate(
            String prompt, GenerationOptions options, TokenListener listener)
            throws LlamaModelException {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            requireOpen();
            cancelled = false;
            return run(prompt, options, listener);
        } finally {
            lock.unlock();
        }
    }

    private GenerationResult run(String prompt, GenerationOptions options, TokenListener listener)
            throws LlamaModelException {
        long start = System.nanoTime();
        long bytes0 = guest.call("m64_bytes_loaded");
        long loadNanos0 = guest.call("m64_load_nanos");
        int[] tokens = encode(guest, prompt.getBytes(StandardCharsets.UTF_8), true);
        int steps = options.steps() == 0 ? maxPositions : Math.min(options.steps(), maxPositions);
        guest.call(
                "m64_sampler",
                Float.floatToRawIntBits(options.temperature()) & 0xFFFF_FFFFL,
                Float.floatToRawIntBits(options.topP()) & 0xFFFF_FFFFL,
                options.seed());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int pieceBytes = PIECE_BYTES;
        int piece = alloc(pieceBytes);
        StopReason reason = StopReason.STEPS;
        int token = tokens[0];
        int pos = 0;
        try {
            while (pos < steps) {
                if (cancelled || closed) {
                    reason = StopReason.CANCELLED;
                    break;
                }
                check(guest.call("m64_forward", token, pos), "forward at position " + pos);
                boolean sampled = pos >= tokens.length - 1;
                int next = sampled ? (int) guest.call("m64_sample") : tokens[pos + 1];
                pos++;
                if (sampled && (next == bos || next == eos)) {
                    reason = StopReason.END_OF_SEQUENCE;
                    break;
                }
                int n =
                        check(
                                guest.call("m64_decode_piece", token, next, piece, pieceBytes),
                                "decode");
                if (n > pieceBytes) {
                    guest.call("m64_free", piece);
                    pieceBytes = n;
                    piece = alloc(pieceBytes);
                    check(guest.call("m64_decode_piece", token, next, piece, pieceBytes), "decode");
                }
                byte[] bytes = guest.read(piece, n);
                text.writeBytes(bytes);
                token = next;
                listener.onToken(next, bytes);
            }
        } finally {
            if (!guestClosed) { // closed by the listener, on this thread
                guest.call("m64_free", piece);
            }
        }
        long nanos = System.nanoTime() - start;
        long weightBytes = guestClosed ? 0 : guest.call("m64_bytes_loaded") - bytes0;
        long loadNanos = guestClosed ? 0 : guest.call("m64_load_nanos") - loadNanos0;
        return new GenerationResult(
                text.toString(StandardCharsets.UTF_8),
                tokens.length,
                pos,
                reason,
                nanos,
                weightBytes,
                loadNanos);
    }

    /**
     * Encodes text with the guest's {@code m64_encode}, with a beginning-of-sequence token first
     * when bos (the tests' encoder too).
     */
    static int[] encode(Guest guest, byte[] text, boolean bos) throws LlamaModelException {
        int textAddress = alloc(guest, text.length);
        int tokensAddress = alloc(guest, Math.multiplyExact(text.length + 3, 4));
        try {
            guest.write(textAddress, text);
            int n =
                    check(
                            guest,
                            guest.call(
                                    "m64_encode",
                                    textAddress,
                                    text.length,
                                    bos ? 1 : 0,
                                    tokensAddress),
                            "encode");
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = guest.readInt(tokensAddress + 4 * i);
            }
            return tokens;
        } finally {
            guest.call("m64_free", textAddress);
            guest.call("m64_free", tokensAddress);
        }
    }

    private int alloc(int bytes) throws LlamaModelException {
        return alloc(guest, bytes);
    }

    private static int alloc(Guest guest, int bytes) throws LlamaModelException {
        int address = (int) guest.call("m64_alloc", bytes);
        if (address == 0) {
            throw new LlamaModelException(
                    "the guest is out of memory allocating " + bytes + " bytes", -103);
        }
        return address;
    }

    private int check(long result, String operation) throws LlamaModelException {
        return check(guest, result, operation);
    }

    private static int check(Guest guest, long result, String operation)
            throws LlamaModelException {
        if (result < 0) {
            throw failure(guest, operation, (int) result);
        }
        return (int) result;
    }

    private static LlamaModelException failure(Guest guest, String operation, int code) {
        String said = guest.stderr().strip();
        return new LlamaModelException(
                "the inference guest failed: "
                        + operation
                        + " returned "
                        + code
                        + (said.isEmpty() ? "" : " (" + said.replace('\n', ';') + ")"),
                code);
    }

    /**
     * Stops the generation in progress, if any, after the token being computed: {@link #generate}
     * then returns with {@link StopReason#CANCELLED}. Safe from any thread; does nothing when no
     * generation runs.
     */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Returns the model's vocabulary size.
     *
     * @return the number of tokens
     */
    public int vocabularySize() {
        return vocabularySize;
    }

    /**
     * Returns the beginning-of-sequence token's id.
     *
     * @return the id
     */
    public int bos() {
        return bos;
    }

    /**
     * Returns the end-of-sequence token's id.
     *
     * @return the id
     */
    public int eos() {
        return eos;
    }

    /**
     * Returns the positions the guest's KV cache holds: the most steps a generation runs.
     *
     * @return the positions
     */
    public int maxPositions() {
        return maxPositions;
    }

    /**
     * Returns the runtime the guest runs under.
     *
     * @return the runtime
     */
    public GuestRuntime runtime() {
        return runtime;
    }

    /**
     * Returns the guest's linear memory's size now, in bytes: its weight buffer, KV cache,
     * activations and vocabulary, whatever the model's size.
     *
     * @return the size
     * @throws IllegalStateException if this is closed
     */
    public long guestMemoryBytes() {
        lock.lock();
        try {
            requireOpen();
            return guest.memoryBytes();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the store the model's weights are in (for its statistics).
     *
     * @return the store
     */
    public Memory64Store store() {
        return model.store();
    }

    /**
     * Stops the generation in progress (as {@link #cancel()}), waits for it to return, then frees
     * the guest and closes the model if this opened it. Idempotent; afterwards {@link #generate}
     * throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        cancelled = true;
        closed = true;
        lock.lock();
        try {
            if (!guestClosed) {
                guestClosed = true;
                guest.close();
                if (ownsModel) {
                    model.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this Llama is closed (" + model + ")");
        }
    }

    @Override
    public String toString() {
        return "Llama[" + model + ", " + runtime.cliName() + "]";
    }

    /** How a model is opened, with the builder's options. */
    @FunctionalInterface
    private interface Opener {
        OpenedModel open(Builder options) throws IOException;
    }

    /** A model of either format: its store, and how to close it. */
    private record OpenedModel(Object model, Memory64Store store, Runnable closer) {
        static OpenedModel of(GgufModel model) {
            return new OpenedModel(model, model.store(), model::close);
        }

        static OpenedModel of(SafetensorsModel model) {
            return new OpenedModel(model, model.store(), model::close);
        }

        void close() {
            closer.run();
        }

        @Override
        public String toString() {
            return model.toString();
        }
    }

    /** Options for opening a model; {@link #open()} opens it. */
    public static final class Builder {
        private final Opener opener;
        private final boolean ownsModel;
        private GuestRuntime runtime = GuestRuntime.CHICORY;
        private int weightBufferKib;
        private int maxPositions;
        private RemoteOptions remoteOptions;
        private Path cacheDirectory = Path.of(System.getProperty("java.io.tmpdir"));

        private Builder(Opener opener, boolean ownsModel) {
            this.opener = opener;
            this.ownsModel = ownsModel;
        }

        /**
         * Sets the runtime (default {@link GuestRuntime#CHICORY}, the compiler).
         *
         * @param runtime the runtime
         * @return this builder
         */
        public Builder withRuntime(GuestRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        /**
         * Sets the guest's weight buffer, where a block's weights are loaded (default 64 MiB): a
         * block's layer larger than it streams through it by rows. The guest's memory is this plus
         * the KV cache, the activations and the vocabulary.
         *
         * @param kib the buffer in KiB, at least 1 and at most 2 GiB
         * @return this builder
         * @throws IllegalArgumentException if kib is out of range
         */
        public Builder withWeightBufferKib(int kib) {
            if (kib < 1 || kib > 2 << 20) {
                throw new IllegalArgumentException(
                        "weight buffer kib=" + kib + " not in [1, 2 GiB]");
            }
            this.weightBufferKib = kib;
            return this;
        }

        /**
         * Sets the positions the guest's KV cache holds (default: the model's context length), the
         * most steps a generation runs; the cache takes 2 x blocks x positions x KV width floats.
         *
         * @param positions the positions, at least 1
         * @return this builder
         * @throws IllegalArgumentException if positions is below 1
         */
        public Builder withMaxPositions(int positions) {
            if (positions < 1) {
                throw new IllegalArgumentException("positions=" + positions + " is below 1");
            }
            this.maxPositions = positions;
            return this;
        }

        /**
         * How a model opened by URI is fetched (chunk size, parallel fetches, retries, timeout,
         * request decorator, transport), its tokenizer and config included for a checkpoint.
         * Ignored for files and for a model the caller opened.
         *
         * @param options the options, default {@link RemoteOptions#defaults()}
         * @return this builder
         * @throws NullPointerException if {@code options} is null
         */
        public Builder withRemoteOptions(RemoteOptions options) {
            this.remoteOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Where a model opened by URI keeps its cache: one sparse, unlinked file per part (see
         * {@code GgufModel.Builder.withCacheDirectory}). Ignored for files and for a model the
         * caller opened.
         *
         * @param directory the cache directory, default {@code java.io.tmpdir}
         * @return this builder
         * @throws NullPointerException if {@code directory} is null
         */
        public Builder withCacheDirectory(Path directory) {
            this.cacheDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        private RemoteOptions remoteOptions() {
            return remoteOptions != null ? remoteOptions : RemoteOptions.defaults();
        }

        /**
         * Opens the model and starts the guest over it, which reads the model's hyperparameters,
         * vocabulary and tensor table.
         *
         * @return the opened model, to close
         * @throws IOException if the model cannot be read or is not a valid GGUF file or
         *     safetensors checkpoint, or a checkpoint lacks its config.json or tokenizer.json
         * @throws LlamaModelException if the guest cannot run the model (not a llama-architecture
         *     model, a missing tensor, an unsupported type or tokenizer)
         */
        public Llama open() throws IOException {
            OpenedModel model = opener.open(this);
            Guest guest = null;
            boolean success = false;
            try {
                guest = runtime.start(model.store());
                int code = (int) guest.call("m64_init", weightBufferKib, maxPositions, 0);
                if (code < 0) {
                    throw new LlamaModelException(
                            "cannot run "
                                    + model
                                    + " in the inference guest: "
                                    + failure(guest, "init", code).getMessage(),
                            code);
                }
                Llama llama = new Llama(model, ownsModel, runtime, guest);
                success = true;
                return llama;
            } finally {
                if (!success) {
                    if (guest != null) {
                        guest.close();
                    }
                    if (ownsModel) {
                        model.close();
                    }
                }
            }
        }
    }
}
