/**
 * The BI SQL endpoint ({@code serve}): a Spark Thrift Server in this process serving the current
 * publication of {@code dq.publications} as read-only views of the gold tables and {@code dq.check_results}, each
 * pinned to its published Delta version and described from {@code conf/catalog.yaml}; binding, password
 * authentication and the read-only statement guard ({@link com.partnermix.serve.ReadOnlyExtension}). Writes only
 * its own metastore. Entry point: {@link com.partnermix.serve.ServeJob}.
 */
package com.partnermix.serve;
