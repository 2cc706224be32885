package dev.dca.runtime;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code dca model info} shows about a loaded model.
 *
 * @param tensorTypes tensor count per stored type (e.g. {@code Q8_0 -> 7}), as found in the file
 * @param specialTokens names such as {@code bos}, {@code eos}, {@code pad}, {@code unk} mapped to token ids
 */
public record ModelInfo(
        Path path,
        String format,
        String architecture,
        long parameters,
        String storedDtype,
        String computeDtype,
        String device,
        int layers,
        int heads,
        int kvHeads,
        int hiddenSize,
        int contextLength,
        int vocabSize,
        Map<String, Integer> specialTokens,
        boolean hasChatTemplate,
        Map<String, Integer> tensorTypes) {}
