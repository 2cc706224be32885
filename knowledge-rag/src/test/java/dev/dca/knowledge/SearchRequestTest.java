package dev.dca.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SearchRequestTest {

    @Test
    void should_apply_documented_defaults() {
        SearchRequest r = SearchRequest.builder("q").build();
        assertThat(r.mode()).isEqualTo(SearchMode.HYBRID);
        assertThat(r.k()).isEqualTo(5);
        assertThat(r.candidates()).isEqualTo(100);
        assertThat(r.fileTypes()).isEmpty();
        assertThat(r.pathPrefix()).isNull();
        assertThat(SearchRequest.builder("q").k(500).build().candidates()).isEqualTo(500);
    }

    @Test
    void should_validate_and_normalise_inputs() {
        assertThatThrownBy(() -> SearchRequest.builder(" ").build()).hasMessageContaining("blank");
        assertThatThrownBy(() -> SearchRequest.builder("q").k(0)).hasMessageContaining("k must be");
        assertThatThrownBy(() -> SearchRequest.builder("q").denseWeight(1.5)).hasMessageContaining("dense weight");
        assertThatThrownBy(() -> SearchMode.parse("fuzzy")).hasMessageContaining("bm25, dense or hybrid");
        assertThat(SearchRequest.builder("q").fileType(".PDF").fileType("md").build().fileTypes()).containsExactlyInAnyOrder("pdf", "md");
        SearchRequest r = SearchRequest.builder("q").k(7).fileType("txt").pathPrefix("/a").build();
        SearchRequest other = r.withQuery("other");
        assertThat(other.query()).isEqualTo("other");
        assertThat(other.k()).isEqualTo(7);
        assertThat(other.fileTypes()).containsExactly("txt");
        assertThat(other.pathPrefix()).isEqualTo("/a");
    }

    @Test
    void should_validate_ingest_options() {
        assertThatThrownBy(() -> IngestOptions.defaults().withChunking(100, 100)).hasMessageContaining("overlap");
        assertThatThrownBy(() -> IngestOptions.defaults().withChunking(10, 0)).hasMessageContaining("chunk size");
    }

    @Test
    void rrf_should_reward_documents_ranked_well_in_both_lists() {
        var bm25 = List.of(new HybridFusion.Scored("a", 9), new HybridFusion.Scored("b", 8), new HybridFusion.Scored("c", 1));
        var dense = List.of(new HybridFusion.Scored("b", 0.9), new HybridFusion.Scored("d", 0.8), new HybridFusion.Scored("a", 0.7));
        var fused = HybridFusion.fuse(bm25, dense, Fusion.RRF, 0.5);
        assertThat(fused).extracting(HybridFusion.Scored::key).containsExactly("b", "a", "d", "c");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 62 + 1.0 / 61, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void normalized_fusion_should_keep_score_gaps() {
        // "a" is far ahead in BM25 and missing from dense; "b" leads dense only slightly
        var bm25 = List.of(new HybridFusion.Scored("a", 30), new HybridFusion.Scored("b", 3), new HybridFusion.Scored("c", 2));
        var dense = List.of(new HybridFusion.Scored("b", 0.80), new HybridFusion.Scored("c", 0.79), new HybridFusion.Scored("a", 0.70));
        var fused = HybridFusion.fuse(bm25, dense, Fusion.NORMALIZED, 0.5);
        assertThat(fused.get(0).key()).isEqualTo("b"); // (1/28*0.5 + 1*0.5)
        assertThat(fused).extracting(HybridFusion.Scored::key).containsExactly("b", "a", "c");
        var denseHeavy = HybridFusion.fuse(bm25, dense, Fusion.NORMALIZED, 0.0);
        assertThat(denseHeavy.get(0).key()).isEqualTo("a");
    }
}
