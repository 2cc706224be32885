package dev.dca.runtime.llama2c;

import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.ModelFiles;
import dev.dca.runtime.model.Tensor;
import dev.dca.runtime.tokenizer.Llama2cTokenizer;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A llama2.c checkpoint ({@code run.c} / {@code export.py}) and the {@code tokenizer.bin} beside it.
 *
 * <p>Grammar, all little-endian:
 * <ul>
 *   <li>v0 (legacy): {@code int32 dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len}, then f32
 *       token_embedding, rms_att[L], wq[L], wk[L], wv[L], wo[L], rms_ffn[L], w1[L], w2[L], w3[L], rms_final,
 *       freq_cis_real[seq_len][hs/2], freq_cis_imag, and wcls when {@code vocab_size < 0} (positive = the classifier
 *       shares the embedding).</li>
 *   <li>v1: {@code u32 magic 0x616b3432 ("ak42"), int32 version=1}, the 7 ints, {@code u8 shared_classifier}, zero
 *       padding to 256 bytes; then f32 rms_att[L], rms_ffn[L], rms_final, token_embedding, wq[L], wk[L], wv[L],
 *       wo[L], w1[L], w2[L], w3[L], and wcls when not shared.</li>
 *   <li>v2: as v1 with version=2 and {@code int32 group_size} after the flag; the norms in f32, then the int8
 *       values of token_embedding, wq..w3 (and wcls) one after another, then all their f32 group scales (Q8_0:
 *       value = q * scale of its group of {@code group_size} consecutive values).</li>
 * </ul>
 * llama2.c rotates interleaved pairs (2i, 2i+1); q/k rows are permuted on load to Hugging Face's rotate-half layout
 * (per head: new[i] = old[2i], new[i + hs/2] = old[2i + 1]) so the decoder has one layout. w1/w3/w2 are
 * gate/up/down.
 */
public final class Llama2cModelFiles implements ModelFiles {

    static final int MAGIC = 0x616b3432;
    private static final int MAX_DIM = 1 << 20;

    /** Where one tensor's bytes are: f32 at {@code offset}, or int8 at {@code offset} with scales at {@code scales}. */
    private record Slot(long[] shape, long offset, long scales, boolean permuteHeads, int heads) {}

    private final Path checkpoint;
    private final int version;
    private final int groupSize;
    private final ModelConfig config;
    private final FileChannel channel;
    private final Map<String, Slot> slots;
    private final Llama2cTokenizer tokenizer;

    private Llama2cModelFiles(Path checkpoint, int version, int groupSize, ModelConfig config, FileChannel channel,
            Map<String, Slot> slots, Llama2cTokenizer tokenizer) {
        this.checkpoint = checkpoint;
        this.version = version;
        this.groupSize = groupSize;
        this.config = config;
        this.channel = channel;
        this.slots = slots;
        this.tokenizer = tokenizer;
    }

    /** The checkpoint in a folder: the one {@code .bin} that is not a tokenizer. */
    public static Optional<Path> findCheckpoint(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            List<Path> bins = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".bin")
                    && !isTokenizerName(p.getFileName().toString())).sorted().toList();
            if (bins.size() > 1) {
                throw new ModelFormatException(folder, "several llama2.c checkpoints here " + bins.stream()
                        .map(p -> p.getFileName().toString()).toList() + ": name the .bin to use");
            }
            return bins.stream().findFirst();
        } catch (IOException e) {
            throw new ModelFormatException(folder, "cannot list the folder (" + e.getMessage() + ")");
        }
    }

    private static boolean isTokenizerName(String name) {
        return name.equals("tokenizer.bin") || name.startsWith("tok");
    }

    /** Opens a {@code .bin} checkpoint, or the folder holding one; its tokenizer must sit beside it. */
    public static Llama2cModelFiles open(Path path) {
        Path bin = Files.isDirectory(path) ? findCheckpoint(path)
                .orElseThrow(() -> new ModelFormatException(path, "no llama2.c .bin checkpoint here")) : path;
        if (!Files.isRegularFile(bin)) throw new ModelFormatException(bin, "no such file");
        Path tokFile = findTokenizer(bin);
        FileChannel ch;
        try {
            ch = FileChannel.open(bin, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelFormatException(bin, "cannot read (" + e.getMessage() + ")");
        }
        try {
            Llama2cModelFiles files = read(bin, ch, Llama2cTokenizer.load(tokFile));
            if (files.tokenizer.vocabSize() != files.config.vocabSize()) {
                throw new ModelFormatException(tokFile, "tokenizer has " + files.tokenizer.vocabSize()
                        + " tokens but the checkpoint " + bin.getFileName() + " has a vocabulary of " + files.config.vocabSize());
            }
            return files;
        } catch (RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw e;
        }
    }

    private static Path findTokenizer(Path bin) {
        Path dir = bin.toAbsolutePath().getParent();
        Path plain = dir.resolve("tokenizer.bin");
        if (Files.isRegularFile(plain)) return plain;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> toks = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("tok") && n.endsWith(".bin") && Files.isRegularFile(p) && !p.equals(bin.toAbsolutePath());
            }).sorted().toList();
            if (toks.isEmpty()) {
                throw new ModelFormatException(bin, "no llama2.c tokenizer beside the checkpoint (expected tokenizer.bin or tok*.bin in " + dir + ")");
            }
            return toks.get(0);
        } catch (IOException e) {
            throw new ModelFormatException(dir, "cannot list the folder (" + e.getMessage() + ")");
        }
    }

    private static Llama2cModelFiles read(Path bin, FileChannel ch, Llama2cTokenizer tok) {
        long size;
        ByteBuffer head = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        try {
            size = ch.size();
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // fill up to 256 bytes or the end of the file
            }
        } catch (IOException e) {
            throw new ModelFormatException(bin, "cannot read (" + e.getMessage() + ")");
        }
        if (size < 28) throw new ModelFormatException(bin, "truncated: " + size + " bytes, shorter than a llama2.c header");
        int version = 0, groupSize = 0, at = 0;
        boolean shared;
        if (head.getInt(0) == MAGIC) {
            if (size < 256) throw new ModelFormatException(bin, "truncated: " + size + " bytes, shorter than the 256-byte v1/v2 header");
            version = head.getInt(4);
            if (version != 1 && version != 2) {
                throw new ModelFormatException(bin, "unsupported llama2.c checkpoint version " + version + " (supported: 0, 1, 2)");
            }
            at = 8;
        }
        int dim = head.getInt(at), hidden = head.getInt(at + 4), layers = head.getInt(at + 8), heads = head.getInt(at + 12);
        int kvHeads = head.getInt(at + 16), vocab = head.getInt(at + 20), seqLen = head.getInt(at + 24);
        if (version == 0) {
            shared = vocab > 0;
            vocab = Math.abs(vocab);
        } else {
            shared = head.get(36) != 0;
            if (version == 2) groupSize = head.getInt(37);
        }
        String dims = "dim=" + dim + " hidden_dim=" + hidden + " n_layers=" + layers + " n_heads=" + heads + " n_kv_heads="
                + kvHeads + " vocab_size=" + vocab + " seq_len=" + seqLen;
        if (Stream.of(dim, hidden, layers, heads, kvHeads, vocab, seqLen).anyMatch(v -> v <= 0 || v > MAX_DIM)
                || dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
            String hint = version == 0 && head.getInt(0) != MAGIC ? " (not a llama2.c checkpoint? wrong magic or corrupt header)" : "";
            throw new ModelFormatException(bin, "implausible header " + dims + hint);
        }
        if (version == 2 && (groupSize <= 0 || dim % groupSize != 0)) {
            throw new ModelFormatException(bin, "implausible Q8_0 group size " + groupSize + " for dim " + dim);
        }
        int hs = dim / heads, kvDim = kvHeads * hs;
        ModelConfig config;
        try {
            config = new ModelConfig("llama", dim, hidden, layers, heads, kvHeads, hs, vocab, seqLen, 1e-5f, 10000f, hs, null,
                    false, false, shared);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(bin, e.getMessage());
        }

        // lay out every tensor; sizes in elements
        Map<String, Slot> slots = new LinkedHashMap<>();
        long[] cursor = {version == 0 ? 28 : 256};
        List<String> quantOrder = new ArrayList<>();
        List<long[]> quantShapes = new ArrayList<>();
        java.util.function.BiConsumer<String, long[]> f32 = (name, shape) -> {
            slots.put(name, new Slot(shape, cursor[0], -1, false, 0));
            cursor[0] += 4 * elements(shape);
        };
        String[] mats = {"q", "k", "v", "o", "w1", "w2", "w3"};
        java.util.function.Function<String, long[]> matShape = m -> switch (m) {
            case "q", "o" -> new long[] {dim, dim};
            case "k", "v" -> new long[] {kvDim, dim};
            case "w1", "w3" -> new long[] {hidden, dim};
            default -> new long[] {dim, hidden};
        };
        if (version == 0) {
            f32.accept("model.embed_tokens.weight", new long[] {vocab, dim});
            for (int l = 0; l < layers; l++) f32.accept(layer(l, "input_layernorm.weight"), new long[] {dim});
            for (String m : new String[] {"q", "k", "v", "o"}) for (int l = 0; l < layers; l++) f32.accept(matName(l, m), matShape.apply(m));
            for (int l = 0; l < layers; l++) f32.accept(layer(l, "post_attention_layernorm.weight"), new long[] {dim});
            for (String m : new String[] {"w1", "w2", "w3"}) for (int l = 0; l < layers; l++) f32.accept(matName(l, m), matShape.apply(m));
            f32.accept("model.norm.weight", new long[] {dim});
            cursor[0] += 2L * 4 * seqLen * (hs / 2); // freq_cis_real, freq_cis_imag: recomputed by the decoder
            if (!shared) f32.accept("lm_head.weight", new long[] {vocab, dim});
        } else {
            for (int l = 0; l < layers; l++) f32.accept(layer(l, "input_layernorm.weight"), new long[] {dim});
            for (int l = 0; l < layers; l++) f32.accept(layer(l, "post_attention_layernorm.weight"), new long[] {dim});
            f32.accept("model.norm.weight", new long[] {dim});
            quantOrder.add("model.embed_tokens.weight");
            quantShapes.add(new long[] {vocab, dim});
            for (String m : mats) {
                for (int l = 0; l < layers; l++) {
                    quantOrder.add(matName(l, m));
                    quantShapes.add(matShape.apply(m));
                }
            }
            if (!shared) {
                quantOrder.add("lm_head.weight");
                quantShapes.add(new long[] {vocab, dim});
            }
            if (version == 1) {
                for (int i = 0; i < quantOrder.size(); i++) f32.accept(quantOrder.get(i), quantShapes.get(i));
            } else {
                long q = cursor[0];
                long totalQ = 0;
                for (long[] s : quantShapes) totalQ += elements(s);
                long sc = q + totalQ;
                for (int i = 0; i < quantOrder.size(); i++) {
                    long n = elements(quantShapes.get(i));
                    slots.put(quantOrder.get(i), new Slot(quantShapes.get(i), q, sc, false, 0));
                    q += n;
                    sc += 4 * (n / groupSize);
                }
                cursor[0] = sc;
            }
        }
        long expected = cursor[0];
        if (size < expected) {
            throw new ModelFormatException(bin, "truncated: the header (" + dims + ", version " + version + ") implies "
                    + expected + " bytes but the file has " + size);
        }
        if (size > expected) {
            throw new ModelFormatException(bin, "the header (" + dims + ", version " + version + ") implies " + expected
                    + " bytes but the file has " + size + ": header does not match the data");
        }
        // q/k need the interleaved -> rotate-half row permutation
        for (int l = 0; l < layers; l++) {
            Slot q = slots.get(matName(l, "q")), k = slots.get(matName(l, "k"));
            slots.put(matName(l, "q"), new Slot(q.shape(), q.offset(), q.scales(), true, heads));
            slots.put(matName(l, "k"), new Slot(k.shape(), k.offset(), k.scales(), true, kvHeads));
        }
        return new Llama2cModelFiles(bin, version, groupSize, config, ch, slots, tok);
    }

    private static String layer(int l, String rest) {
        return "model.layers." + l + "." + rest;
    }

    private static String matName(int l, String m) {
        return layer(l, switch (m) {
            case "q" -> "self_attn.q_proj.weight";
            case "k" -> "self_attn.k_proj.weight";
            case "v" -> "self_attn.v_proj.weight";
            case "o" -> "self_attn.o_proj.weight";
            case "w1" -> "mlp.gate_proj.weight";
            case "w3" -> "mlp.up_proj.weight";
            default -> "mlp.down_proj.weight";
        });
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    @Override
    public Tensor tensor(String name) {
        Slot s = slots.get(name);
        if (s == null) throw new ModelFormatException(checkpoint, "tensor '" + name + "' is not in a llama2.c checkpoint");
        long n = elements(s.shape());
        if (n * 4 > Integer.MAX_VALUE) throw new ModelFormatException(checkpoint, "tensor '" + name + "' is larger than 2 GiB");
        float[] values = new float[(int) n];
        try {
            if (s.scales() < 0) {
                ByteBuffer b = readAt(s.offset(), 4 * n);
                b.asFloatBuffer().get(values);
            } else {
                ByteBuffer q = readAt(s.offset(), n);
                FloatBuffer scales = readAt(s.scales(), 4 * (n / groupSize)).asFloatBuffer();
                for (int i = 0; i < n; i++) values[i] = q.get(i) * scales.get(i / groupSize);
            }
        } catch (IOException e) {
            throw new ModelFormatException(checkpoint, "cannot read tensor '" + name + "' (" + e.getMessage() + ")");
        }
        if (s.permuteHeads()) values = toRotateHalf(values, s.heads(), (int) (s.shape()[0] / s.heads()), (int) s.shape()[1]);
        ByteBuffer out = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(values);
        return new Tensor(name, s.shape().clone(), Tensor.DType.F32, out);
    }

    /** Rows of each head from llama2.c's interleaved pairs to rotate-half: new[i] = old[2i], new[i + d/2] = old[2i+1]. */
    static float[] toRotateHalf(float[] w, int heads, int headDim, int cols) {
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int i = 0; i < half; i++) {
                System.arraycopy(w, (base + 2 * i) * cols, out, (base + i) * cols, cols);
                System.arraycopy(w, (base + 2 * i + 1) * cols, out, (base + half + i) * cols, cols);
            }
        }
        return out;
    }

    private ByteBuffer readAt(long offset, long length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        long pos = offset;
        while (b.hasRemaining()) {
            int r = channel.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    public int version() {
        return version;
    }

    @Override public Path path() { return checkpoint; }
    @Override public String format() { return "llama2c"; }
    @Override public ModelConfig config() { return config; }
    @Override public Set<String> tensorNames() { return slots.keySet(); }
    @Override public Optional<Tokenizer> tokenizer() { return Optional.of(tokenizer); }
    @Override public Optional<ChatTemplate> chatTemplate() { return Optional.empty(); }
    @Override public SamplingParams generationDefaults() { return SamplingParams.GREEDY; }
    /** run.c ends a sequence when the model emits BOS (the sequence delimiter of its training data). */
    @Override public int[] stopTokenIds() { return new int[] {Llama2cTokenizer.BOS}; }

    @Override
    public Map<String, Integer> storedTensorTypes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        if (version == 2) {
            m.put("F32", 2 * config.numLayers() + 1);
            m.put("Q8_0", slots.size() - 2 * config.numLayers() - 1);
        } else {
            m.put("F32", slots.size());
        }
        return m;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only channel
        }
    }
}
