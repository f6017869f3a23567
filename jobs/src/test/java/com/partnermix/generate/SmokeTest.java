package com.partnermix.generate;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

class SmokeTest {
    @Test
    void smoke() throws Exception {
        GeneratorOptions o = new GeneratorOptions(LocalDate.parse("2026-11-20"), 5, 400, 42, 40,
                "/tmp/gen-smoke/landing", "/tmp/gen-smoke/truth", false, false, List.of(), 0.01, 0.01, 0.08, 2);
        System.out.println(GenerateJob.generate(TestSpark.get(), o));
    }
}
