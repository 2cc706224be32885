package dev.dca.router;

import java.util.Locale;

/** How one request is answered. */
public enum Route {
    /** the small model answers from the conversation alone */
    DIRECT("direct"),
    /** retrieve, then answer grounded in numbered sources with citations */
    RAG("rag"),
    /** the reasoning core searches hidden chains of thought, then answers */
    REASONING("reasoning"),
    /** retrieve, then reason over the sources */
    RAG_REASONING("rag+reasoning");

    private final String label;

    Route(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean retrieves() {
        return this == RAG || this == RAG_REASONING;
    }

    public boolean reasons() {
        return this == REASONING || this == RAG_REASONING;
    }

    /** Parses {@code direct|rag|reasoning|rag+reasoning|auto}; {@code auto} gives null (the router decides). */
    public static Route parse(String s) {
        if (s == null) return null;
        String v = s.trim().toLowerCase(Locale.ROOT).replace(' ', '+').replace('_', '+');
        if (v.equals("auto") || v.isEmpty()) return null;
        if (v.equals("rag-reasoning") || v.equals("rag+reason")) v = "rag+reasoning";
        for (Route r : values()) if (r.label.equals(v)) return r;
        throw new IllegalArgumentException("unknown route '" + s + "' (expected auto, direct, rag, reasoning or rag+reasoning)");
    }

    @Override
    public String toString() {
        return label;
    }
}
