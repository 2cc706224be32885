package dev.dca.runtime.engine;

import dev.dca.runtime.gguf.GgmlType;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dca.runtime.ContextLengthExceededException;
import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelInfo;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.ModelFiles;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link LanguageModel} on the DJL PyTorch engine: loads the weights of any {@link ModelFiles} onto the device
 * and runs {@link LlamaDecoder} with a preallocated {@link KvCache}.
 *
 * <p>Generation: each request's prompt is prefilled once (in chunks, reusing the longest prefix in the
 * {@link PrefixCache}); its {@code n} samples fork that slot's keys and values; then all samples of up to
 * {@code maxBatch} sequences decode together, one forward step per token. Calls are serialised (one decode loop
 * at a time), and every call works in its own cache slots, so no state leaks between requests.
 */
public final class DjlLanguageModel implements LanguageModel {

    static {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
    }

    /** Prompt tokens per prefill forward pass: bounds the [G*T, L] score matrices of long prompts. */
    private static final int PREFILL_CHUNK = 512;

    private final ModelFiles files;
    private final ModelConfig config;
    private final NDManager manager;
    private final LlamaDecoder decoder;
    private final ModelInfo info;
    private final Tokenizer tokenizer;
    private final Optional<ChatTemplate> chatTemplate;
    private final SamplingParams defaults;
    private final int contextLength;
    private final int maxBatch;
    private final int[] eosIds;
    private final PrefixCache prefixCache;
    private KvCache cache;
    private final boolean kvBf16;

    private DjlLanguageModel(ModelFiles files, NDManager manager, LlamaWeights weights, LoadOptions options, String device) {
        this.files = files;
        this.config = files.config();
        this.manager = manager;
        this.decoder = new LlamaDecoder(config, weights);
        this.tokenizer = files.tokenizer().orElse(null);
        this.chatTemplate = files.chatTemplate();
        this.defaults = files.generationDefaults();
        this.contextLength = options.contextLength() > 0 ? Math.min(options.contextLength(), config.contextLength()) : config.contextLength();
        this.maxBatch = options.maxBatch();
        this.kvBf16 = options.kvCache().equals("bf16");
        Set<Integer> eos = new LinkedHashSet<>();
        if (tokenizer != null) for (int id : tokenizer.eosTokenIds()) eos.add(id);
        for (int id : files.stopTokenIds()) eos.add(id);
        this.eosIds = eos.stream().mapToInt(Integer::intValue).toArray();
        long kvBytesPerToken = 2L * config.numLayers() * config.numKvHeads() * config.headDim() * KvCache.valueBytes(kvBf16);
        long budget = Long.getLong("dca.prefixCache.mb", 256) << 20;
        this.prefixCache = new PrefixCache((int) Math.min(Integer.MAX_VALUE, budget / kvBytesPerToken));
        this.info = buildInfo(weights, device);
    }

    /** Loads the weights of {@code files} (which this model then owns and closes). */
    public static DjlLanguageModel load(ModelFiles files, LoadOptions options) {
        Engine engine = Engine.getEngine("PyTorch");
        boolean gpu = !options.device().equals("cpu") && engine.getGpuCount() > 0;
        if (options.device().equals("gpu") && !gpu) {
            throw new IllegalArgumentException("device gpu requested but the PyTorch engine sees no GPU (see docs on the cuda profile)");
        }
        Device device = gpu ? Device.gpu() : Device.cpu();
        DecodeStep.Hold held = held(files, options, gpu);
        checkKvCache(options, held, gpu);
        NDManager manager = engine.newBaseManager(device);
        try {
            LlamaWeights weights = LlamaWeights.load(files, manager, held);
            return new DjlLanguageModel(files, manager, weights, options, gpu ? "gpu" : "cpu");
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * How to hold the weights. DJL 0.35.1's PyTorch JNI has no bfloat16 tensors (creating one aborts the JVM) and no
     * quantized matmul, so BF16 and quantized weights live only in the Java kernels ({@link DecodeStep}): on the CPU,
     * with Java 22+. {@code auto} keeps a file's own format: a GGUF file whose matrices are not all F32 is held as
     * stored (Q8_0, Q4_K, ... blocks; any mix the dequantizer knows), BF16 safetensors as BF16. {@code bf16} rounds
     * any file to BF16. F32 (everything else, and {@code f32}) is held for the Java kernels where they lay F32 out in
     * panels ({@link DecodeMatMul#packs}; their prefill measured 2.7x PyTorch's on SmolLM2-135M with AVX-512, 1.0-1.4x with AVX2), and as PyTorch
     * tensors on a GPU, on machines without panels, or with {@code -Ddca.matmul.panels=false}.
     */
    private static DecodeStep.Hold held(ModelFiles files, LoadOptions options, boolean gpu) {
        if (options.dtype().equals("bf16")) {
            if (gpu) throw new IllegalArgumentException("bf16 runs on the CPU's Java kernels (DJL's PyTorch has no bfloat16); use --device cpu or f32");
            if (!LlamaDecoder.javaKernels()) {
                throw new IllegalArgumentException("bf16 needs Java 22+ started with --add-modules jdk.incubator.vector (./dca does both); use f32");
            }
            return DecodeStep.Hold.BF16;
        }
        if (gpu || !LlamaDecoder.javaKernels()) return DecodeStep.Hold.F32;
        DecodeStep.Hold f32 = LlamaDecoder.packs(GgmlType.F32) ? DecodeStep.Hold.JAVA_F32 : DecodeStep.Hold.F32;
        if (!options.dtype().equals("auto")) return f32;
        java.util.Set<GgmlType> stored = LlamaWeights.storedTypes(files);
        if (!stored.isEmpty() && !stored.equals(java.util.Set.of(GgmlType.F32))) return DecodeStep.Hold.STORED;
        return mostStoredType(files).equalsIgnoreCase("bf16") ? DecodeStep.Hold.BF16 : f32;
    }

    /** A BF16 KV cache is read and written only by the Java decode step: not with weights held as PyTorch tensors. */
    static void checkKvCache(LoadOptions options, DecodeStep.Hold held, boolean gpu) {
        if (!options.kvCache().equals("bf16") || held != DecodeStep.Hold.F32) return;
        boolean java = !gpu && LlamaDecoder.javaKernels();
        String why = gpu ? "on the GPU" : java ? "F32 is laid out for the Java kernels only with 8- or 16-lane vectors and panels on" : "no Java 22+ Vector API";
        throw new IllegalArgumentException("a bf16 KV cache is read and written only by the Java kernels, and this model is held as PyTorch F32 tensors ("
                + why + "); use --kv-cache f32" + (java ? ", or --compute bf16" : ""));
    }

    /** The type most of the file's tensors are stored in (e.g. {@code BF16}, {@code Q8_0}), or empty. */
    private static String mostStoredType(ModelFiles files) {
        return files.storedTensorTypes().entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
    }

    private ModelInfo buildInfo(LlamaWeights weights, String device) {
        Map<String, Integer> special = new LinkedHashMap<>();
        if (tokenizer != null) {
            tokenizer.bosTokenId().ifPresent(id -> special.put("bos", id));
            int[] e = tokenizer.eosTokenIds();
            if (e.length > 0) special.put("eos", e[0]);
            for (int i = 1; i < e.length; i++) special.put("eos" + (i + 1), e[i]);
        } else if (eosIds.length > 0) {
            special.put("eos", eosIds[0]);
        }
        Map<String, Integer> types = new TreeMap<>(files.storedTensorTypes());
        String stored = mostStoredType(files);
        return new ModelInfo(files.path(), files.format(), config.architecture(), weights.parameters, stored.isEmpty() ? "?" : stored,
                computeDtype(weights), device, config.numLayers(), config.numHeads(),
                config.numKvHeads(), config.hiddenSize(), contextLength, config.vocabSize(), special,
                chatTemplate.isPresent(), types);
    }

    /** f32 or bf16, or for weights held as stored their types, e.g. {@code q8_0} or {@code q4_k+q6_k}. */
    private static String computeDtype(LlamaWeights weights) {
        if (weights.held == DecodeStep.Hold.F32) return "f32";
        return weights.heldTypes().stream().map(t -> t.name().toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.joining("+"));
    }

    @Override public ModelInfo info() { return info; }
    @Override public Optional<ChatTemplate> chatTemplate() { return chatTemplate; }
    @Override public SamplingParams defaultSampling() { return defaults; }

    @Override
    public Tokenizer tokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException(files.path() + ": this model comes without a tokenizer; drive it with token ids");
        }
        return tokenizer;
    }

    public ModelConfig config() {
        return config;
    }

    /** Ids that end every generation besides a request's own stop ids. */
    public int[] eosTokenIds() {
        return eosIds.clone();
    }

    /** Prefix-cache statistics: {hits, reused tokens, entries}. */
    public synchronized long[] prefixCacheStats() {
        return new long[] {prefixCache.hits, prefixCache.reusedTokens, prefixCache.size()};
    }

    /** Turns the prefix cache on or off (benchmarks measure both); off also empties it. */
    public synchronized void setPrefixCacheEnabled(boolean on) {
        prefixCacheOn = on;
        if (!on) prefixCache.clear();
    }

    private boolean prefixCacheOn = true;

    // ---------------------------------------------------------------------------------------------------------
    // logits

    @Override
    public synchronized float[][] logits(int[] tokens) {
        checkTokens(tokens);
        if (tokens.length > contextLength) throw new ContextLengthExceededException(tokens.length, 0, contextLength);
        ensureCache(1, tokens.length);
        float[][] out = new float[tokens.length][];
        int vocab = config.vocabSize();
        for (int from = 0; from < tokens.length; from += PREFILL_CHUNK) {
            int t = Math.min(PREFILL_CHUNK, tokens.length - from);
            try (NDManager step = manager.newSubManager()) {
                NDArray logits = decoder.forward(step, cache, Arrays.copyOfRange(tokens, from, from + t), 1, t, 0, new int[] {from}, true);
                float[] flat = logits.toFloatArray();
                for (int i = 0; i < t; i++) out[from + i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // generation

    /** One sample being generated: its slot, its tokens so far, and its streaming text state. */
    private final class Sample {
        final int requestIndex, sampleIndex, slot;
        final GenerationRequest request;
        final Sampler sampler;
        final Random rng;
        final int[] history; // prompt + generated
        int length; // tokens in history
        final int promptLength;
        final float[] logprobs;
        int generated;
        int emittedChars;
        String finalText;
        Generation.FinishReason finish;
        float[] logits; // of the next position

        Sample(GenerationRequest r, int requestIndex, int sampleIndex, int slot) {
            this.request = r;
            this.requestIndex = requestIndex;
            this.sampleIndex = sampleIndex;
            this.slot = slot;
            this.sampler = Sampler.of(r.sampling(), r.promptTokens().length);
            long seed = r.sampling().seed() != null ? r.sampling().seed() : new java.security.SecureRandom().nextLong();
            this.rng = new Random(seed + 0x9E3779B97F4A7C15L * sampleIndex);
            this.promptLength = r.promptTokens().length;
            this.history = Arrays.copyOf(r.promptTokens(), promptLength + r.maxTokens());
            this.length = promptLength;
            this.logprobs = r.logprobs() ? new float[r.maxTokens()] : null;
        }

        boolean active() {
            return finish == null;
        }

        /** Position of the next token to feed (its KV is not in the cache yet). */
        int position() {
            return length - 1;
        }

        int[] generatedTokens() {
            return Arrays.copyOfRange(history, promptLength, promptLength + generated);
        }

        Generation toGeneration() {
            String text = finalText != null ? finalText : decode(generatedTokens());
            return new Generation(requestIndex, sampleIndex, promptLength, generatedTokens(),
                    logprobs == null ? null : Arrays.copyOf(logprobs, generated), text, finish);
        }
    }

    @Override
    public synchronized List<Generation> generate(List<GenerationRequest> requests, GenerationListener listener) {
        for (GenerationRequest r : requests) {
            checkTokens(r.promptTokens());
            if (r.promptTokens().length + r.maxTokens() > contextLength) {
                throw new ContextLengthExceededException(r.promptTokens().length, r.maxTokens(), contextLength);
            }
        }
        // every (request, sample) pair, decoded in groups of at most maxBatch rows
        List<int[]> jobs = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) for (int s = 0; s < requests.get(r).n(); s++) jobs.add(new int[] {r, s});
        List<Generation> out = new ArrayList<>(jobs.size());
        boolean cancelled = false;
        for (int from = 0; from < jobs.size(); from += maxBatch) {
            List<int[]> group = jobs.subList(from, Math.min(jobs.size(), from + maxBatch));
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                int[] job = group.get(i);
                samples.add(new Sample(requests.get(job[0]), job[0], job[1], i));
            }
            if (cancelled) {
                for (Sample s : samples) s.finish = Generation.FinishReason.CANCELLED;
            } else {
                cancelled = runGroup(samples, listener);
            }
            for (Sample s : samples) out.add(s.toGeneration());
        }
        return out;
    }

    /** Prefills each distinct request of the group once, forks it to its other samples, then decodes. */
    private boolean runGroup(List<Sample> samples, GenerationListener listener) {
        int capacity = 1;
        for (Sample s : samples) capacity = Math.max(capacity, s.promptLength + s.request.maxTokens());
        ensureCache(samples.size(), capacity);
        Map<Integer, Sample> first = new LinkedHashMap<>();
        for (Sample s : samples) {
            Sample owner = first.get(s.requestIndex);
            if (owner == null) {
                first.put(s.requestIndex, s);
                s.logits = prefill(s.request.promptTokens(), s.slot);
            } else {
                cache.copySlot(owner.slot, s.slot, s.promptLength); // prefix forking: no recompute
                s.logits = owner.logits;
            }
            if (s.request.maxTokens() == 0) s.finish = Generation.FinishReason.LENGTH;
        }
        while (true) {
            if (listener.cancelled()) {
                for (Sample s : samples) if (s.active()) s.finish = Generation.FinishReason.CANCELLED;
                storeFinished(samples);
                return true;
            }
            chooseAll(samples, listener);
            int rows = 0;
            for (Sample s : samples) if (s.active()) rows = s.slot + 1;
            if (rows == 0) break;
            // one forward step for rows [0, rows): finished rows ride along on their last position, outputs ignored
            int[] tokens = new int[rows];
            int[] start = new int[rows];
            for (int r = 0; r < rows; r++) {
                Sample s = samples.get(r);
                tokens[r] = s.history[s.length - 1];
                start[r] = Math.min(s.position(), cache.capacity - 1);
            }
            try (NDManager step = manager.newSubManager()) {
                float[] flat = decoder.decodeStep(step, cache, tokens, rows, start);
                int vocab = config.vocabSize();
                for (int r = 0; r < rows; r++) {
                    Sample s = samples.get(r);
                    if (s.active()) s.logits = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
                }
            }
        }
        storeFinished(samples);
        return false;
    }

    /**
     * Samples the next token of every active sample, the rows spread over the decode threads (each sample draws
     * from its own generator, so the result does not depend on the threads; top-p over a flat distribution costs
     * milliseconds per row, and one row after another it was about a fifth of a batch-8 self-consistency profile),
     * then applies the stop rules in row order.
     */
    private void chooseAll(List<Sample> samples, GenerationListener listener) {
        List<Sample> active = samples.stream().filter(Sample::active).toList();
        int[] ids = new int[active.size()];
        float[] logprobs = new float[active.size()];
        Workers.run(active.size(), i -> {
            Sample s = active.get(i);
            ids[i] = s.sampler.sample(s.logits, s.history, s.length, s.rng);
            if (s.logprobs != null) logprobs[i] = Sampler.logprob(s.logits, ids[i]);
        });
        for (int i = 0; i < active.size(); i++) choose(active.get(i), ids[i], logprobs[i], listener);
    }

    /** Takes token {@code id} (with its log-probability) as the next of {@code s} and applies the stop rules. */
    private void choose(Sample s, int id, float logprob, GenerationListener listener) {
        if (contains(eosIds, id) || contains(s.request.stopTokenIds(), id)) {
            s.finish = Generation.FinishReason.STOP_TOKEN;
            return;
        }
        if (s.logprobs != null) s.logprobs[s.generated] = logprob;
        s.history[s.length++] = id;
        s.generated++;
        boolean last = s.generated >= s.request.maxTokens();
        String delta = streamText(s, last);
        listener.onToken(s.requestIndex, s.sampleIndex, id, delta);
        if (s.finish == null && last) s.finish = Generation.FinishReason.LENGTH;
    }

    /**
     * Decodes the generated tokens and returns the text not yet emitted, holding back an incomplete UTF-8 character
     * and any tail that could still grow into a stop string. Ends the sample when a stop string appears.
     */
    private String streamText(Sample s, boolean last) {
        if (tokenizer == null) return "";
        String text = decode(s.generatedTokens());
        List<String> stops = s.request.stopStrings();
        int cut = -1;
        for (String stop : stops) {
            if (stop.isEmpty()) continue;
            int i = text.indexOf(stop, Math.max(0, s.emittedChars - stop.length()));
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
            s.finish = Generation.FinishReason.STOP_STRING;
            s.finalText = text.substring(0, cut);
            return emit(s, cut, s.finalText);
        }
        if (last) return emit(s, text.length(), text);
        int safe = text.length();
        while (safe > s.emittedChars && text.charAt(safe - 1) == '\uFFFD') safe--;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, safe - s.emittedChars); k > 0; k--) {
                if (text.startsWith(stop.substring(0, k), safe - k)) {
                    safe -= k;
                    break;
                }
            }
        }
        return emit(s, safe, text);
    }

    private static String emit(Sample s, int upTo, String text) {
        if (upTo <= s.emittedChars) return "";
        String delta = text.substring(s.emittedChars, upTo);
        s.emittedChars = upTo;
        return delta;
    }

    private String decode(int[] ids) {
        return tokenizer == null ? "" : tokenizer.decode(ids, true);
    }

    /**
     * Runs a prompt into cache slot {@code slot} and returns the logits of its last position. Reuses the longest
     * cached prefix (at most prompt - 1 tokens: the last one must run to produce logits) and remembers the prompt.
     */
    private float[] prefill(int[] prompt, int slot) {
        int done = 0;
        if (prefixCacheOn && prefixCache.enabled()) {
            PrefixCache.Match match = prefixCache.lookup(prompt, prompt.length - 1);
            if (match != null) {
                cache.load(slot, match.entry().kv(), match.length());
                done = match.length();
            }
        }
        float[] last = null;
        for (int from = done; from < prompt.length; from += PREFILL_CHUNK) {
            int t = Math.min(PREFILL_CHUNK, prompt.length - from);
            try (NDManager step = manager.newSubManager()) {
                NDArray logits = decoder.forward(step, cache, Arrays.copyOfRange(prompt, from, from + t), 1, t, slot, new int[] {from}, false);
                last = logits.toFloatArray();
            }
        }
        if (prefixCacheOn) prefixCache.store(prompt, prompt.length, cache, slot, manager);
        return last;
    }

    /** Remembers each finished sample's sequence (prompt + generated) for the next request that extends it. */
    private void storeFinished(List<Sample> samples) {
        if (!prefixCacheOn) return;
        for (Sample s : samples) {
            if (s.generated > 0) prefixCache.store(s.history, s.position(), cache, s.slot, manager);
        }
    }

    private void ensureCache(int slots, int capacity) {
        if (cache != null && cache.fits(slots, capacity)) return;
        // grow, never shrink, in steps of 256 positions so a run of similar requests reuses one allocation
        int wantSlots = Math.max(slots, cache == null ? 1 : cache.slots);
        int wantCap = Math.max(capacity, cache == null ? 1 : cache.capacity);
        wantCap = Math.max(capacity, Math.min(contextLength, (wantCap + 255) / 256 * 256));
        if (cache != null) cache.close();
        cache = new KvCache(manager, config.numLayers(), wantSlots, config.numKvHeads(), wantCap, config.headDim(), kvBf16);
    }

    private void checkTokens(int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token (e.g. BOS)");
        for (int t : tokens) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) if (x == id) return true;
        return false;
    }

    /** Bytes held by the KV cache now (for benchmarks). */
    public synchronized long kvCacheBytes() {
        return cache == null ? 0 : cache.bytes();
    }

    /** Frees the KV cache and the prefix cache (they are rebuilt on demand). */
    public synchronized void releaseCaches() {
        prefixCache.clear();
        if (cache != null) cache.close();
        cache = null;
    }

    @Override
    public synchronized void close() {
        prefixCache.close();
        if (cache != null) cache.close();
        manager.close();
        files.close();
    }
}
