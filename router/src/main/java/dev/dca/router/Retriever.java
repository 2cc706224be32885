package dev.dca.router;

import java.util.List;

/** Where grounded answers get their passages: the knowledge base, or a fake in tests. */
public interface Retriever {

    /** The best {@code k} passages for {@code query}, most relevant first. */
    List<Passage> retrieve(String query, int k);
}
