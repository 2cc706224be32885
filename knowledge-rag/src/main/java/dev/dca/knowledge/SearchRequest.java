package dev.dca.knowledge;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, validated search. Build with {@link #builder(String)}; defaults: mode {@link SearchMode#HYBRID},
 * {@code k = 5}, no filters, fusion {@link Fusion#NORMALIZED} with dense weight 0.5 (measured on SciFact, see
 * docs/BENCHMARKS.md), {@code candidates = max(100, k)} per list for hybrid.
 */
public final class SearchRequest {

    public static final int MAX_K = 10_000;

    private final String query;
    private final SearchMode mode;
    private final int k;
    private final String pathPrefix;
    private final Set<String> fileTypes;
    private final Fusion fusion;
    private final double denseWeight;
    private final int candidates;

    private SearchRequest(Builder b) {
        this.query = b.query;
        this.mode = b.mode;
        this.k = b.k;
        this.pathPrefix = b.pathPrefix;
        this.fileTypes = Set.copyOf(b.fileTypes);
        this.fusion = b.fusion;
        this.denseWeight = b.denseWeight;
        this.candidates = b.candidates > 0 ? Math.max(b.candidates, b.k) : Math.max(100, b.k);
    }

    public static Builder builder(String query) {
        return new Builder(query);
    }

    public String query() { return query; }
    public SearchMode mode() { return mode; }
    public int k() { return k; }
    /** Only chunks whose source path starts with this (null: any). */
    public String pathPrefix() { return pathPrefix; }
    /** Only chunks of these file types, lower-case extensions such as {@code pdf} (empty: any). */
    public Set<String> fileTypes() { return fileTypes; }
    public Fusion fusion() { return fusion; }
    public double denseWeight() { return denseWeight; }
    /** How many candidates each list contributes to hybrid fusion. */
    public int candidates() { return candidates; }

    /** The same settings with another query text. */
    public SearchRequest withQuery(String newQuery) {
        return toBuilder(newQuery).build();
    }

    public Builder toBuilder() {
        return toBuilder(query);
    }

    private Builder toBuilder(String q) {
        Builder b = new Builder(q).mode(mode).k(k).pathPrefix(pathPrefix).fusion(fusion).denseWeight(denseWeight);
        b.fileTypes.addAll(fileTypes);
        b.candidates = candidates;
        return b;
    }

    @Override
    public String toString() {
        return "SearchRequest[query=" + query + ", mode=" + mode.label() + ", k=" + k + ", pathPrefix=" + pathPrefix
                + ", fileTypes=" + fileTypes + ", fusion=" + fusion + "]";
    }

    public static final class Builder {
        private final String query;
        private SearchMode mode = SearchMode.HYBRID;
        private int k = 5;
        private String pathPrefix;
        private final Set<String> fileTypes = new TreeSet<>();
        private Fusion fusion = Fusion.NORMALIZED;
        private double denseWeight = 0.5;
        private int candidates;

        private Builder(String query) {
            this.query = query;
        }

        public Builder mode(SearchMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder k(int k) {
            if (k < 1 || k > MAX_K) throw new IllegalArgumentException("k must be in 1.." + MAX_K + ": " + k);
            this.k = k;
            return this;
        }

        public Builder pathPrefix(String prefix) {
            this.pathPrefix = prefix == null || prefix.isEmpty() ? null : prefix;
            return this;
        }

        /** Adds a file type filter; accepts {@code pdf}, {@code .pdf} or {@code PDF}. */
        public Builder fileType(String type) {
            if (type == null || type.isBlank()) throw new IllegalArgumentException("file type must not be blank");
            String t = type.trim().toLowerCase(Locale.ROOT);
            fileTypes.add(t.startsWith(".") ? t.substring(1) : t);
            return this;
        }

        public Builder fusion(Fusion fusion) {
            this.fusion = Objects.requireNonNull(fusion, "fusion");
            return this;
        }

        public Builder denseWeight(double w) {
            if (!(w >= 0 && w <= 1)) throw new IllegalArgumentException("dense weight must be in [0,1]: " + w);
            this.denseWeight = w;
            return this;
        }

        public Builder candidates(int n) {
            if (n < 1 || n > MAX_K) throw new IllegalArgumentException("candidates must be in 1.." + MAX_K + ": " + n);
            this.candidates = n;
            return this;
        }

        public SearchRequest build() {
            if (query == null || query.isBlank()) throw new IllegalArgumentException("query must not be blank");
            return new SearchRequest(this);
        }
    }
}
