package com.partnermix.testing;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that runs whole jobs or nights (tens of seconds or more). {@code bin/test} runs it;
 * {@code bin/test --fast}, the development tier, leaves it out (Maven profile {@code fast}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
public @interface Slow {}
