package dev.dca.knowledge;

import java.util.Map;

/** Size of a knowledge base: documents (files), chunks, bytes on disk, chunks per file type, the model. */
public record KbStats(String directory, int documents, int chunks, long bytesOnDisk, Map<String, Integer> chunksByType,
        String embeddingModel, int dimension) {}
