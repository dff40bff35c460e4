package dev.memory64.safetensors;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small checkpoints for tests: a llama-like one over several dtypes and odd shapes. */
final class Checkpoints {

    /** One tensor as added to a writer: its name, dtype, shape and bytes. */
    record Tensor(String name, SafetensorsDtype dtype, long[] shape, byte[] bytes) {}

    private Checkpoints() {}

    /** Deterministic bytes, distinct per tensor. */
    static byte[] bytes(int seed, long size) {
        byte[] out = new byte[Math.toIntExact(size)];
        int x = seed * 0x9E3779B1 + 1;
        for (int i = 0; i < out.length; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            out[i] = (byte) x;
        }
        return out;
    }

    /**
     * A llama-like checkpoint of {@code blocks} blocks: embeddings, per block the attention and MLP
     * weights and norms over F32, BF16, F16, I8, U8 and F8, a final norm, a head, and tensors of
     * odd shapes (a scalar, a 5-dim tensor, a zero-element one, a prime-sized one).
     */
    static List<Tensor> llama(int blocks) {
        List<Tensor> out = new ArrayList<>();
        int seed = 1;
        out.add(tensor(seed++, "model.embed_tokens.weight", SafetensorsDtype.BF16, 37, 16));
        for (int b = 0; b < blocks; b++) {
            String p = "model.layers." + b + ".";
            out.add(tensor(seed++, p + "input_layernorm.weight", SafetensorsDtype.F32, 16));
            out.add(tensor(seed++, p + "self_attn.q_proj.weight", SafetensorsDtype.BF16, 16, 16));
            out.add(tensor(seed++, p + "self_attn.k_proj.weight", SafetensorsDtype.F16, 8, 16));
            out.add(tensor(seed++, p + "self_attn.v_proj.weight", SafetensorsDtype.F8_E4M3, 8, 16));
            out.add(tensor(seed++, p + "self_attn.o_proj.weight", SafetensorsDtype.I8, 16, 16));
            out.add(
                    tensor(
                            seed++,
                            p + "post_attention_layernorm.weight",
                            SafetensorsDtype.F64,
                            16));
            out.add(tensor(seed++, p + "mlp.gate_proj.weight", SafetensorsDtype.U8, 43, 16));
            out.add(tensor(seed++, p + "mlp.up_proj.weight", SafetensorsDtype.F8_E5M2, 43, 16));
            out.add(tensor(seed++, p + "mlp.down_proj.weight", SafetensorsDtype.F4, 16, 43, 2));
        }
        out.add(tensor(seed++, "model.norm.weight", SafetensorsDtype.F32, 16));
        out.add(tensor(seed++, "lm_head.weight", SafetensorsDtype.BF16, 37, 16));
        out.add(tensor(seed++, "model.rotary_emb.inv_freq", SafetensorsDtype.F32, 8));
        out.add(tensor(seed++, "extra.scalar", SafetensorsDtype.I64));
        out.add(tensor(seed++, "extra.five_dims", SafetensorsDtype.I16, 2, 3, 1, 5, 7));
        out.add(tensor(seed++, "extra.empty", SafetensorsDtype.U32, 4, 0));
        out.add(tensor(seed++, "extra.flags", SafetensorsDtype.BOOL, 13));
        out.add(tensor(seed, "extra.scale", SafetensorsDtype.F8_E8M0, 3));
        return out;
    }

    static Tensor tensor(int seed, String name, SafetensorsDtype dtype, long... shape) {
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        return new Tensor(name, dtype, shape, bytes(seed, dtype.byteSize(elements)));
    }

    /** A writer holding the tensors and the metadata {@code format=pt}. */
    static SafetensorsWriter writer(List<Tensor> tensors) {
        SafetensorsWriter writer = SafetensorsWriter.create().putMetadata("format", "pt");
        for (Tensor t : tensors) {
            writer.add(t.name(), t.dtype(), t.shape(), MemorySegment.ofArray(t.bytes()));
        }
        return writer;
    }

    /** Writes the tensors into one file. */
    static Path single(Path dir, List<Tensor> tensors) throws java.io.IOException {
        Path file = dir.resolve("model.safetensors");
        writer(tensors).write(file);
        return file;
    }

    /** A Hugging Face llama config.json. */
    static final String CONFIG =
            """
            {
              "architectures": ["LlamaForCausalLM"],
              "hidden_size": 16,
              "num_hidden_layers": 2,
              "rms_norm_eps": 1e-05,
              "rope_theta": 10000.0,
              "tie_word_embeddings": false,
              "torch_dtype": "bfloat16",
              "eos_token_id": [128001, 128008, 128009],
              "rope_scaling": {"factor": 8.0, "rope_type": "llama3", "low_freq_factor": 1},
              "mixed": [1, "a"],
              "ratios": [1, 2.5],
              "nothing": null,
              "flags": [true, false]
            }
            """;
}
