package com.partnermix.generate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.LocalDate;
import java.util.List;

/**
 * Manual speed check, skipped unless asked for:
 * {@code mvn -o test -Dtest='com.partnermix.generate.GenerationSpeedCheck' -Dgenerate.speed.persons=200000 -Dgenerate.speed.days=30}.
 */
class GenerationSpeedCheck {

    @Test
    @EnabledIfSystemProperty(named = "generate.speed.persons", matches = "\\d+")
    void generatesAtScale() throws Exception {
        long persons = Long.parseLong(System.getProperty("generate.speed.persons"));
        int days = Integer.parseInt(System.getProperty("generate.speed.days", "30"));
        String dir = System.getProperty("generate.speed.dir", "target/generate-speed");
        boolean gzip = Boolean.parseBoolean(System.getProperty("generate.speed.gzip", "false"));
        GeneratorOptions o = new GeneratorOptions(LocalDate.parse("2026-11-20"), days, persons, 42, 60,
                dir + "/landing", dir + "/truth", gzip, false, List.of(), 0.004, 0.01, 0.08, 2);
        System.out.println(GenerateJob.generate(TestSpark.get(), o));
    }
}
