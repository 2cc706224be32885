package dev.dca.router;

import java.util.Objects;

/**
 * A retrieved passage as the router uses it.
 *
 * @param source the document (path or title) it came from
 * @param location where in the source, e.g. {@code p. 3, chars 120-560}
 * @param score the retriever's ranking score (comparable within one result list only)
 * @param relevance an absolute relevance in [0, 1] (cosine similarity of query and passage embeddings, clamped),
 *     used to decide whether anything relevant was found
 */
public record Passage(String source, String location, String text, double score, double relevance) {
    public Passage {
        Objects.requireNonNull(source, "source");
        location = location == null ? "" : location;
        Objects.requireNonNull(text, "text");
    }
}
