/**
 * The development jar's launcher: the production subcommands plus {@code generate}, {@code demo}, {@code bench} and
 * {@code doctor}. Entry point: {@link com.partnermix.tools.Main}.
 */
package com.partnermix.tools;
