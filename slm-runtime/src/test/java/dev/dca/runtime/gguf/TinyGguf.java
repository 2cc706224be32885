package dev.dca.runtime.gguf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Writes a tiny random llama-architecture GGUF (1 layer, hidden 32) with a 16-token llama vocabulary. */
final class TinyGguf {

    static final int HIDDEN = 32, HEADS = 4, KV_HEADS = 2, FF = 64, VOCAB = 16;

    private TinyGguf() {}

    static Path write(Path file, GgmlType type) {
        Random r = new Random(42);
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int i = 3; i < VOCAB; i++) tokens.add("\u2581t" + i);
        float[] scores = new float[VOCAB];
        int[] types = new int[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            scores[i] = -i;
            types[i] = i < 3 ? 3 : 1;
        }
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "tiny")
                .putUInt32("llama.context_length", 64)
                .putUInt32("llama.embedding_length", HIDDEN)
                .putUInt32("llama.block_count", 1)
                .putUInt32("llama.feed_forward_length", FF)
                .putUInt32("llama.attention.head_count", HEADS)
                .putUInt32("llama.attention.head_count_kv", KV_HEADS)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putFloat32("llama.rope.freq_base", 10000f)
                .putUInt32("llama.rope.dimension_count", HIDDEN / HEADS)
                .putString("tokenizer.ggml.model", "llama")
                .putStrings("tokenizer.ggml.tokens", tokens)
                .putFloats("tokenizer.ggml.scores", scores)
                .putInts("tokenizer.ggml.token_type", types)
                .putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putUInt32("tokenizer.ggml.eos_token_id", 2)
                .putBool("tokenizer.ggml.add_bos_token", true);
        int kv = HIDDEN / HEADS * KV_HEADS;
        w.addTensor("token_embd.weight", new long[] {VOCAB, HIDDEN}, type, random(r, VOCAB * HIDDEN));
        w.addTensor("blk.0.attn_norm.weight", new long[] {HIDDEN}, GgmlType.F32, random(r, HIDDEN));
        w.addTensor("blk.0.attn_q.weight", new long[] {HIDDEN, HIDDEN}, type, random(r, HIDDEN * HIDDEN));
        w.addTensor("blk.0.attn_k.weight", new long[] {kv, HIDDEN}, type, random(r, kv * HIDDEN));
        w.addTensor("blk.0.attn_v.weight", new long[] {kv, HIDDEN}, type, random(r, kv * HIDDEN));
        w.addTensor("blk.0.attn_output.weight", new long[] {HIDDEN, HIDDEN}, type, random(r, HIDDEN * HIDDEN));
        w.addTensor("blk.0.ffn_norm.weight", new long[] {HIDDEN}, GgmlType.F32, random(r, HIDDEN));
        w.addTensor("blk.0.ffn_gate.weight", new long[] {FF, HIDDEN}, type, random(r, FF * HIDDEN));
        w.addTensor("blk.0.ffn_up.weight", new long[] {FF, HIDDEN}, type, random(r, FF * HIDDEN));
        w.addTensor("blk.0.ffn_down.weight", new long[] {HIDDEN, FF}, type, random(r, FF * HIDDEN));
        w.addTensor("output_norm.weight", new long[] {HIDDEN}, GgmlType.F32, random(r, HIDDEN));
        w.write(file);
        return file;
    }

    static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian() * 0.1f;
        return v;
    }
}
