package com.partnermix.common;

import java.util.List;

/** Java lists as the Scala sequences some Dataset methods take (join columns, for instance). */
public final class ScalaSeqs {

    private ScalaSeqs() {}

    public static scala.collection.Seq<String> of(String... items) {
        return of(List.of(items));
    }

    public static scala.collection.Seq<String> of(List<String> items) {
        return scala.collection.JavaConverters.asScalaBuffer(items).toSeq();
    }
}
