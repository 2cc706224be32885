package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The weights' memory ({@code HugePages}, in the jar's Java 22 layer, reached by reflection). */
class HugePagesTest {

    @Test
    void pieces_are_zeroed_writable_apart_and_on_cache_lines_and_large_ones_on_huge_pages() throws ReflectiveOperationException, InterruptedException {
        Class<?> hugePages;
        try {
            hugePages = Class.forName("dev.dca.runtime.engine.HugePages");
        } catch (ClassNotFoundException e) {
            assumeTrue(false, "HugePages is in the jar's Java 22 layer; this JVM is older");
            return;
        }
        Method allocate = hugePages.getDeclaredMethod("allocate", long.class);
        allocate.setAccessible(true);
        Method available = hugePages.getDeclaredMethod("available");
        available.setAccessible(true);
        boolean mapped = (boolean) available.invoke(null);
        String arch = System.getProperty("os.arch");
        if (System.getProperty("os.name").toLowerCase().startsWith("linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
            assertThat(mapped).as("mmap and madvise reachable on Linux with --enable-native-access").isTrue();
        }
        List<ByteBuffer> pieces = new ArrayList<>();
        long[] sizes = {2, 100, 663_552, 1_105_920, 3_538_944, 30L << 20};
        for (long size : sizes) {
            ByteBuffer b = (ByteBuffer) allocate.invoke(null, size);
            assertThat(b.capacity()).isEqualTo(size);
            assertThat(b.isDirect()).isTrue();
            assertThat(b.isReadOnly()).isFalse();
            assertThat(b.alignmentOffset(0, 64)).as("piece of %d bytes on a cache line", size).isZero();
            if (mapped && size > (16L << 20)) assertThat(b.alignmentOffset(0, 2 << 20)).as("a large piece starts on a huge page").isZero();
            for (long i = 0; i < size; i += 4093) assertThat(b.get((int) i)).isZero();
            b.put(0, (byte) 7).put((int) size - 1, (byte) 9);
            pieces.add(b);
        }
        // pieces nobody holds any more are let go (their mappings unmapped once unreachable); the held ones stay mapped
        for (int i = 0; i < 200; i++) allocate.invoke(null, 1L << 20);
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        for (ByteBuffer b : pieces) { // no piece overlaps another: each kept what was written into it
            assertThat(b.get(0)).isEqualTo((byte) 7);
            assertThat(b.get(b.capacity() - 1)).isEqualTo((byte) 9);
        }
    }
}
