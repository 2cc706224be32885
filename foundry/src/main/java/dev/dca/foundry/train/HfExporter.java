package dev.dca.foundry.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dca.foundry.tokenizer.ChatFormat;
import dev.dca.runtime.model.Tensor;
import dev.dca.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes weights as a Hugging Face Llama folder: {@code config.json} ({@code model_type: llama}),
 * {@code model.safetensors} (F32, Hugging Face names, [out, in]) and {@code generation_config.json}. The tokenizer
 * files are written by the tokenizer trainer into the same folder.
 */
public final class HfExporter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfExporter() {}

    public static void export(Path folder, TrainConfig c, int vocabSize, Map<String, NDArray> params) throws IOException {
        Files.createDirectories(folder);
        writeSafetensors(folder.resolve("model.safetensors"), params);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("LlamaForCausalLM"));
        config.put("model_type", "llama");
        config.put("hidden_size", c.hiddenSize());
        config.put("intermediate_size", c.intermediateSize());
        config.put("num_hidden_layers", c.numLayers());
        config.put("num_attention_heads", c.numHeads());
        config.put("num_key_value_heads", c.numKvHeads());
        config.put("head_dim", c.headDim());
        config.put("hidden_act", "silu");
        config.put("max_position_embeddings", c.seqLen());
        config.put("rms_norm_eps", c.rmsNormEps());
        config.put("rope_theta", c.ropeTheta());
        config.put("tie_word_embeddings", true);
        config.put("attention_bias", false);
        config.put("vocab_size", vocabSize);
        config.put("bos_token_id", ChatFormat.BOS_ID);
        config.put("eos_token_id", ChatFormat.EOS_ID);
        config.put("torch_dtype", "float32");
        JSON.writeValue(folder.resolve("config.json").toFile(), config);
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("bos_token_id", ChatFormat.BOS_ID);
        gen.put("eos_token_id", ChatFormat.EOS_ID);
        gen.put("do_sample", false); // a model this small answers best greedily; the reasoning core samples itself
        JSON.writeValue(folder.resolve("generation_config.json").toFile(), gen);
    }

    /** Writes named F32 arrays to a safetensors file (used for exports and for checkpoints). */
    static void writeSafetensors(Path file, Map<String, NDArray> arrays) throws IOException {
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            float[] values = e.getValue().toFloatArray();
            specs.add(new SafetensorsWriter.Spec(e.getKey(), Tensor.DType.F32, e.getValue().getShape().getShape(),
                    (chunk, start) -> System.arraycopy(values, (int) start, chunk, 0, (int) Math.min(chunk.length, values.length - start))));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        SafetensorsWriter.write(tmp, specs);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads every F32 tensor of a safetensors file into arrays of {@code manager}. */
    static Map<String, NDArray> readSafetensors(Path file, ai.djl.ndarray.NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (var reader = dev.dca.runtime.safetensors.SafetensorsReader.open(file)) {
            for (String name : reader.names()) {
                Tensor t = reader.tensor(name);
                // F16/BF16 (the bundled model is stored as F16) widen exactly; training continues in F32
                java.nio.FloatBuffer f = ByteBuffer.allocate(Math.toIntExact(t.elements()) * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                t.toF32(f);
                float[] v = new float[Math.toIntExact(t.elements())];
                f.get(0, v);
                out.put(name, manager.create(v, new ai.djl.ndarray.types.Shape(t.shape())));
            }
        }
        return out;
    }
}
