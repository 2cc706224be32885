package dev.dca.runtime.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.gguf.GgmlType;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.ModelFiles;
import dev.dca.runtime.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder's weights. Matrices are PyTorch F32 tensors, or, held for the Java kernels, buffers in BF16 or in the
 * GGUF file's own types; norms and biases stay F32 tensors. q/k/v are fused into one [(H + 2 KV) * hd, D] matrix
 * and gate/up into one [2 I, D] so a layer runs two big matmuls instead of five (held as stored, only parts of one
 * type fuse).
 */
final class LlamaWeights implements AutoCloseable {

    /** One transformer block. */
    record Layer(
            NDArray attnNorm, // [D] f32
            NDArray qkv, // [(H + 2 KV) * hd, D]
            NDArray qkvBias, // [(H + 2 KV) * hd] f32, or null
            NDArray qkNorm, // [H + KV, hd] f32: q_norm repeated per q head, then k_norm per kv head; or null
            NDArray o, // [D, H * hd]
            NDArray ffnNorm, // [D] f32
            NDArray gateUp, // [2 I, D]
            NDArray down) {} // [D, I]

    final NDManager manager;
    final NDArray embed; // [V, D]
    final Layer[] layers;
    final NDArray finalNorm; // [D] f32
    final NDArray lmHead; // [V, D], == embed when tied
    final float[] ropeFreqDivisors; // [rotaryDim / 2] or null
    final long parameters;
    /** What q still has to be multiplied by after its projection: 1 when 1/sqrt(hd) is folded into the weights. */
    final float queryScale;
    /** One block's matrices held for the Java kernels. */
    record HeldLayer(DecodeStep.Matrix[] qkv, DecodeStep.Matrix o, DecodeStep.Matrix[] gateUp, DecodeStep.Matrix down) {}

    /**
     * How the matrices are held. F32: the NDArrays above. BF16, JAVA_F32 or STORED: only {@link #heldLayers},
     * {@link #heldEmbed} and {@link #heldHead}; the matrix NDArrays are null.
     */
    final DecodeStep.Hold held;
    final HeldLayer[] heldLayers;
    final DecodeStep.Matrix heldEmbed, heldHead;

    private LlamaWeights(NDManager manager, NDArray embed, Layer[] layers, NDArray finalNorm, NDArray lmHead,
            float[] ropeFreqDivisors, long parameters, float queryScale, DecodeStep.Hold held, HeldLayer[] heldLayers,
            DecodeStep.Matrix heldEmbed, DecodeStep.Matrix heldHead) {
        this.held = held;
        this.heldLayers = heldLayers;
        this.heldEmbed = heldEmbed;
        this.heldHead = heldHead;
        this.manager = manager;
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.ropeFreqDivisors = ropeFreqDivisors;
        this.parameters = parameters;
        this.queryScale = queryScale;
    }

    /**
     * @param held F32: PyTorch tensors, with attention's 1/sqrt(hd) folded into q's weights (one op less per layer).
     *     BF16: each matrix is loaded, rounded to BF16 and its F32 tensor freed before the next (peak memory one F32
     *     matrix above the BF16 total). JAVA_F32: the same, copied as F32. STORED: the GGUF file's bytes, never
     *     dequantized ({@link #storedTypes} must be non-empty). All three leave 1/sqrt(hd) out of the weights: a
     *     scaled weight no longer rounds back to the file's value.
     */
    static LlamaWeights load(ModelFiles files, NDManager manager, DecodeStep.Hold held) {
        ModelConfig c = files.config();
        boolean foldQueryScale = held == DecodeStep.Hold.F32;
        long[] params = {0};
        Loader ld = new Loader(files, manager, params);
        HeldLayer[] heldLayers = held == DecodeStep.Hold.F32 ? null : new HeldLayer[c.numLayers()];
        DecodeStep.Matrix heldEmbed = held == DecodeStep.Hold.F32 ? null
                : ld.held(held, new String[] {"model.embed_tokens.weight"}, new long[] {c.vocabSize()}, c.hiddenSize(), 1f)[0];
        NDArray embed = heldEmbed != null ? null : ld.matrix("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize());
        Layer[] layers = new Layer[c.numLayers()];
        int q = c.numHeads() * c.headDim(), kv = c.numKvHeads() * c.headDim();
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            // attention's 1/sqrt(hd) is folded into q (RoPE is linear, so it commutes): into the q rows of Wqkv and
            // the q bias, or, with q/k norm (which would undo it), into q_norm's weights
            float qScale = (float) (1 / Math.sqrt(c.headDim()));
            float rowScale = c.qkNorm() || !foldQueryScale ? 1f : qScale;
            String[] qkvNames = {p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"};
            String[] gateUpNames = {p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"};
            if (heldLayers != null) {
                heldLayers[l] = new HeldLayer(
                    ld.held(held, qkvNames, new long[] {q, kv, kv}, c.hiddenSize(), rowScale),
                    ld.held(held, new String[] {p + "self_attn.o_proj.weight"}, new long[] {c.hiddenSize()}, q, 1f)[0],
                    ld.held(held, gateUpNames, new long[] {c.intermediateSize(), c.intermediateSize()}, c.hiddenSize(), 1f),
                    ld.held(held, new String[] {p + "mlp.down_proj.weight"}, new long[] {c.hiddenSize()}, c.intermediateSize(), 1f)[0]);
            }
            NDArray qkv = heldLayers != null ? null : ld.fused(qkvNames, new int[] {q, kv, kv}, c.hiddenSize(), rowScale);
            NDArray bias = null;
            if (c.attentionBias()) {
                bias = ld.fusedVector(new String[] {p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias"},
                        new int[] {q, kv, kv}, rowScale);
            }
            NDArray qkNorm = null;
            if (c.qkNorm()) {
                float[] qn = ld.floats(p + "self_attn.q_norm.weight", c.headDim());
                for (int i = 0; i < qn.length; i++) qn[i] *= qScale;
                float[] kn = ld.floats(p + "self_attn.k_norm.weight", c.headDim());
                float[] all = new float[(c.numHeads() + c.numKvHeads()) * c.headDim()];
                for (int h = 0; h < c.numHeads() + c.numKvHeads(); h++) {
                    System.arraycopy(h < c.numHeads() ? qn : kn, 0, all, h * c.headDim(), c.headDim());
                }
                qkNorm = manager.create(all, new Shape(c.numHeads() + c.numKvHeads(), c.headDim()));
            }
            boolean f32 = heldLayers == null;
            layers[l] = new Layer(
                    ld.vector(p + "input_layernorm.weight", c.hiddenSize()),
                    qkv, bias, qkNorm,
                    f32 ? ld.matrix(p + "self_attn.o_proj.weight", c.hiddenSize(), q) : null,
                    ld.vector(p + "post_attention_layernorm.weight", c.hiddenSize()),
                    f32 ? ld.fused(gateUpNames, new int[] {c.intermediateSize(), c.intermediateSize()}, c.hiddenSize(), 1f) : null,
                    f32 ? ld.matrix(p + "mlp.down_proj.weight", c.hiddenSize(), c.intermediateSize()) : null);
        }
        NDArray finalNorm = ld.vector("model.norm.weight", c.hiddenSize());
        NDArray lmHead = c.tiedEmbeddings() || heldLayers != null ? embed : ld.matrix("lm_head.weight", c.vocabSize(), c.hiddenSize());
        DecodeStep.Matrix heldHead = heldLayers == null ? null : c.tiedEmbeddings() ? heldEmbed
                : ld.held(held, new String[] {"lm_head.weight"}, new long[] {c.vocabSize()}, c.hiddenSize(), 1f)[0];
        float[] divisors = files.tensorNames().contains("rope_freqs.weight") ? ld.floats("rope_freqs.weight", c.rotaryDim() / 2) : null;
        float queryScale = c.qkNorm() || foldQueryScale ? 1f : (float) (1 / Math.sqrt(c.headDim()));
        return new LlamaWeights(manager, embed, layers, finalNorm, lmHead, divisors, params[0], queryScale,
                held, heldLayers, heldEmbed, heldHead);
    }

    /**
     * The ggml types the file stores {@link #load}'s matrices in, when every one of them can be held as stored (a
     * GGUF file, types the dequantizer knows, rows of whole blocks); empty otherwise.
     */
    static java.util.Set<GgmlType> storedTypes(ModelFiles files) {
        ModelConfig c = files.config();
        List<String> names = new ArrayList<>(List.of("model.embed_tokens.weight"));
        if (!c.tiedEmbeddings()) names.add("lm_head.weight");
        for (int l = 0; l < c.numLayers(); l++) {
            for (String m : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")) {
                names.add("model.layers." + l + "." + m + ".weight");
            }
        }
        java.util.Set<GgmlType> types = java.util.EnumSet.noneOf(GgmlType.class);
        for (String name : names) {
            GgmlType t = files.storedType(name).map(GgmlType::valueOf).orElse(null);
            long[] shape = files.tensorShape(name);
            if (t == null || !t.supported || shape.length != 2 || shape[1] % t.blockSize != 0) return java.util.Set.of();
            types.add(t);
        }
        return types;
    }

    /** The ggml types of the held matrices (BF16 when rounded to it, F32 for JAVA_F32, empty for F32 tensors). */
    java.util.Set<GgmlType> heldTypes() {
        java.util.Set<GgmlType> types = java.util.EnumSet.noneOf(GgmlType.class);
        if (heldLayers == null) return types;
        types.add(heldEmbed.type());
        types.add(heldHead.type());
        for (HeldLayer l : heldLayers) {
            for (DecodeStep.Matrix m : l.qkv()) types.add(m.type());
            for (DecodeStep.Matrix m : l.gateUp()) types.add(m.type());
            types.add(l.o().type());
            types.add(l.down().type());
        }
        return types;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Turns stored tensors into device arrays, checking every shape against the config. */
    private record Loader(ModelFiles files, NDManager manager, long[] params) {

        Tensor tensor(String name, long... shape) {
            Tensor t = files.tensor(name);
            long[] s = t.shape();
            long n = 1;
            for (long d : shape) n *= d;
            if (t.elements() != n || (s.length == shape.length && !java.util.Arrays.equals(s, shape))) {
                throw new ModelFormatException(files.path(), "tensor '" + name + "' has shape " + java.util.Arrays.toString(s)
                        + " but the config implies " + java.util.Arrays.toString(shape));
            }
            if ((long) t.data().remaining() != n * t.dtype().bytes) {
                throw new ModelFormatException(files.path(), "tensor '" + name + "' holds " + t.data().remaining()
                        + " bytes, expected " + n * t.dtype().bytes);
            }
            params[0] += n;
            return t;
        }

        /** A stored tensor as a device array of {@code target} type (a private copy, never a view of the file). */
        NDArray upload(Tensor t, Shape shape, DataType target) {
            if (t.dtype() == Tensor.DType.BF16) return uploadBf16(t, shape);
            ByteBuffer direct = t.data().isDirect() ? t.data().duplicate() : ByteBuffer.allocateDirect(t.data().remaining()).put(t.data().duplicate()).flip();
            direct.order(ByteOrder.LITTLE_ENDIAN);
            DataType stored = switch (t.dtype()) {
                case F32 -> DataType.FLOAT32;
                case F16 -> DataType.FLOAT16;
                case BF16 -> DataType.BFLOAT16;
            };
            try (NDManager tmp = manager.newSubManager()) {
                NDArray raw = tmp.create(direct, shape, stored);
                // a fresh tensor either way: raw may alias the mapped file, which must not outlive this call
                NDArray out = stored == target ? raw.duplicate() : raw.toType(target, false);
                out.attach(manager);
                return out;
            }
        }

        /**
         * BF16 is widened to F32 on the host (exact: a bf16 is the top half of an f32). DJL 0.35.1's PyTorch JNI has
         * no bfloat16 mapping (creating such a tensor aborts the JVM), so BF16 never reaches the device as BF16.
         */
        NDArray uploadBf16(Tensor t, Shape shape) {
            java.nio.ShortBuffer src = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining() * 4).order(ByteOrder.nativeOrder());
            java.nio.IntBuffer out = dst.asIntBuffer();
            while (src.hasRemaining()) out.put((src.get() & 0xffff) << 16);
            NDArray a = manager.create(dst.asFloatBuffer(), shape, DataType.FLOAT32);
            return a;
        }

        NDArray matrix(String name, long rows, long cols) {
            return filled(new String[] {name}, new long[] {rows}, cols, 1f);
        }

        /**
         * Row-wise concatenation of F32 matrices written straight into one new tensor's memory: the file (or the
         * dequantizer) writes each value once, with no staging buffer and no copies (this is most of load time).
         * The first part is multiplied by {@code firstScale}.
         */
        NDArray filled(String[] names, long[] rows, long cols, float firstScale) {
            long total = 0;
            for (int i = 0; i < names.length; i++) total += checkedShape(names[i], rows[i], cols);
            NDArray out = manager.create(new Shape(total / cols, cols), DataType.FLOAT32);
            ByteBuffer view = out.toByteBuffer(true);
            if (!view.isDirect() || view.capacity() != total * Float.BYTES) { // not the tensor's own memory: stage
                out.close();
                params[0] -= total; // fusedByCopy counts them again
                return fusedByCopy(names, rows, cols, firstScale);
            }
            FloatBuffer dst = view.order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < names.length; i++) {
                int from = dst.position();
                files.readF32(names[i], dst);
                if (i == 0 && firstScale != 1f) {
                    for (int j = from; j < dst.position(); j++) dst.put(j, dst.get(j) * firstScale);
                }
            }
            return out;
        }

        /** Checks a stored tensor's shape against the config without reading its data; returns its element count. */
        private long checkedShape(String name, long rows, long cols) {
            long[] s = files.tensorShape(name);
            long n = 1;
            for (long d : s) n *= d;
            if (n != rows * cols || (s.length == 2 && (s[0] != rows || s[1] != cols))) {
                throw new ModelFormatException(files.path(), "tensor '" + name + "' has shape " + java.util.Arrays.toString(s)
                        + " but the config implies " + java.util.Arrays.toString(new long[] {rows, cols}));
            }
            params[0] += n;
            return n;
        }

        /**
         * The named matrices, concatenated by rows, held as {@code held} says: BF16 or JAVA_F32, one matrix (the
         * first part times {@code firstScale}); STORED, the file's bytes, consecutive parts of one type joined into
         * one matrix (as stored they cannot be rescaled, so {@code firstScale} must be 1). Each is laid out as the
         * Java kernels read it fastest ({@link LlamaDecoder#packed}).
         */
        DecodeStep.Matrix[] held(DecodeStep.Hold held, String[] names, long[] rows, long cols, float firstScale) {
            if (held == DecodeStep.Hold.BF16 || held == DecodeStep.Hold.JAVA_F32) {
                NDArray f32 = filled(names, rows, cols, firstScale); // loaded, copied, freed: one F32 matrix at a time
                try {
                    java.nio.FloatBuffer values = f32.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
                    GgmlType type = held == DecodeStep.Hold.BF16 ? GgmlType.BF16 : GgmlType.F32;
                    ByteBuffer b = type == GgmlType.BF16 ? Bf16.narrow(values) : copy(values);
                    return new DecodeStep.Matrix[] {matrix(type, List.of(b), new int[] {Math.toIntExact(f32.getShape().get(0))}, (int) cols)};
                } finally {
                    f32.close();
                }
            }
            if (firstScale != 1f) throw new IllegalArgumentException("matrices held as stored cannot be rescaled");
            GgmlType[] types = new GgmlType[names.length];
            for (int i = 0; i < names.length; i++) {
                checkedShape(names[i], rows[i], cols);
                String name = names[i];
                types[i] = files.storedType(name).map(GgmlType::valueOf)
                        .orElseThrow(() -> new ModelFormatException(files.path(), "tensor '" + name + "' cannot be held as stored"));
            }
            List<DecodeStep.Matrix> parts = new ArrayList<>();
            for (int i = 0, end; i < names.length; i = end) { // each run of one type becomes one matrix
                List<ByteBuffer> run = new ArrayList<>();
                for (end = i; end < names.length && types[end] == types[i]; end++) run.add(files.storedBytes(names[end]).orElseThrow());
                parts.add(matrix(types[i], run, java.util.Arrays.stream(rows, i, end).mapToInt(Math::toIntExact).toArray(), (int) cols));
            }
            return parts.toArray(DecodeStep.Matrix[]::new);
        }

        /** Parts of one type joined by rows: in the Java kernels' layout ({@link LlamaDecoder#packed}), else row-major. */
        private static DecodeStep.Matrix matrix(GgmlType type, List<ByteBuffer> parts, int[] rows, int cols) {
            DecodeStep.Matrix packed = LlamaDecoder.packed(type, parts, rows, cols);
            if (packed != null) return packed;
            return new DecodeStep.Matrix(type, parts.size() == 1 ? parts.getFirst() : concat(parts), java.util.Arrays.stream(rows).sum());
        }

        /** F32 values into memory of their own ({@link WeightMemory}, native order), outliving the tensor they came from. */
        private static ByteBuffer copy(java.nio.FloatBuffer values) {
            ByteBuffer out = WeightMemory.allocate((long) values.remaining() * Float.BYTES).order(ByteOrder.nativeOrder());
            out.asFloatBuffer().put(values);
            return out;
        }

        private static ByteBuffer concat(List<ByteBuffer> buffers) {
            ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(buffers.stream().mapToLong(ByteBuffer::remaining).sum()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (ByteBuffer b : buffers) out.put(b.duplicate());
            return out.flip();
        }

        NDArray vector(String name, long n) {
            return upload(tensor(name, n), new Shape(n), DataType.FLOAT32);
        }

        float[] floats(String name, long n) {
            try (NDManager tmp = manager.newSubManager()) {
                NDArray a = upload(tensor(name, n), new Shape(n), DataType.FLOAT32);
                a.attach(tmp);
                return a.toFloatArray();
            }
        }

        /** Row-wise concatenation; the first part is multiplied by {@code firstScale}. */
        NDArray fused(String[] names, int[] rows, long cols, float firstScale) {
            return filled(names, java.util.Arrays.stream(rows).asLongStream().toArray(), cols, firstScale);
        }

        private NDArray fusedByCopy(String[] names, long[] rows, long cols, float firstScale) {
            try (NDManager tmp = manager.newSubManager()) {
                NDList parts = new NDList();
                for (int i = 0; i < names.length; i++) {
                    NDArray a = upload(tensor(names[i], rows[i], cols), new Shape(rows[i], cols), DataType.FLOAT32);
                    a.attach(tmp);
                    if (i == 0 && firstScale != 1f) a = a.mul(firstScale);
                    parts.add(a);
                }
                NDArray out = NDArrays.concat(parts, 0);
                out.attach(manager);
                return out;
            }
        }

        NDArray fusedVector(String[] names, int[] sizes, float firstScale) {
            try (NDManager tmp = manager.newSubManager()) {
                NDList parts = new NDList();
                for (int i = 0; i < names.length; i++) {
                    NDArray a = upload(tensor(names[i], sizes[i]), new Shape(sizes[i]), DataType.FLOAT32);
                    a.attach(tmp);
                    if (i == 0 && firstScale != 1f) a = a.mul(firstScale);
                    parts.add(a);
                }
                NDArray out = NDArrays.concat(parts, 0);
                out.attach(manager);
                return out;
            }
        }
    }
}
