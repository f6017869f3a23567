package com.partnermix.attribution;

import com.partnermix.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PathTransformsTest extends SparkTestBase {

    private static List<String> transformed(String transform) {
        return spark().sql("SELECT array('coupon', 'coupon', 'email', 'coupon', 'email', 'email') AS states")
                .select(PathTransforms.apply(transform, "states")).first().getList(0);
    }

    @Test
    void eachTransformShapesThePathAsDocumented() {
        assertEquals(List.of("coupon", "coupon", "email", "coupon", "email", "email"), transformed("all"));
        assertEquals(List.of("coupon", "email", "coupon", "email"), transformed("collapse_repeats"));
        assertEquals(List.of("coupon", "email"), transformed("first_occurrence"));
        assertEquals(List.of("coupon(3)", "email(3)"), transformed("unique_with_counts"));
    }

    @Test
    void anUnknownTransformIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> PathTransforms.apply("reverse", "states"));
    }
}
