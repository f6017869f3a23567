/**
 * Publish ({@code publish --date D}): the last step of the night. Reads the versions the gold gate
 * recorded in {@code dq.check_results} and pins them in {@code dq.publications}; readers (serve, notebooks) read
 * only those versions ({@link com.partnermix.publish.Publications}). Entry point:
 * {@link com.partnermix.publish.PublishJob}.
 */
package com.partnermix.publish;
