package com.partnermix.common;

/** A warehouse table: a schema (bronze, silver, gold, dq) and a name, e.g. {@code gold.attribution_credit}. */
public record Table(String schema, String name) {

    /** {@code "gold.partner_daily"} -> the table. */
    public static Table parse(String qualifiedName) {
        int dot = qualifiedName.indexOf('.');
        if (dot <= 0 || dot == qualifiedName.length() - 1) {
            throw new IllegalArgumentException("a table name is schema.name, got '" + qualifiedName + "'");
        }
        return new Table(qualifiedName.substring(0, dot), qualifiedName.substring(dot + 1));
    }

    public String qualifiedName() {
        return schema + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
