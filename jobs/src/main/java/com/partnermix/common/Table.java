package com.partnermix.common;

/** A warehouse table: a schema (bronze, silver, gold, dq) and a name, e.g. {@code gold.attribution_credit}. */
public record Table(String schema, String name) {

    public String qualifiedName() {
        return schema + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
