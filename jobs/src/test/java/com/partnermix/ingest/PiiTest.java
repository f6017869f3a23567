package com.partnermix.ingest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PiiTest {

    private final Pii pii = new Pii("salt-a", 24, 48);

    @Test
    void hashIsSaltedAndStable() {
        assertEquals(pii.hash("203.0.113.7"), pii.hash("203.0.113.7"));
        assertNotEquals(pii.hash("203.0.113.7"), new Pii("salt-b", 24, 48).hash("203.0.113.7"));
        assertEquals(64, pii.hash("x").length());
    }

    @Test
    void networkPrefixKeepsOnlyTheNetwork() {
        assertEquals("203.0.113.0/24", pii.networkPrefix("203.0.113.7"));
        assertEquals("2001:db8:abcd::/48", pii.networkPrefix("2001:db8:abcd:12:1:2:3:4"));
        assertNull(pii.networkPrefix("999.1.1.1"));
        assertNull(pii.networkPrefix("example.com"));
    }

    @Test
    void redactedRawLinesHoldNoIpOrUserAgentEvenWhenTruncated() {
        String line = "{\"event_id\":\"e\",\"ip\":\"203.0.113.7\",\"user_agent\":\"Mozilla/5.0 (iPhone)\",\"x\":\"10.1.2.3\"}";
        String redacted = pii.redactRawLine(line);
        assertFalse(redacted.contains("203.0.113.7"));
        assertFalse(redacted.contains("Mozilla"));
        assertFalse(redacted.contains("10.1.2.3"));
        assertTrue(redacted.contains("\"ip\":\"sha256:" + pii.hash("203.0.113.7") + "\""), redacted);
        String truncated = pii.redactRawLine("{\"event_id\":\"e\",\"user_agent\":\"Mozilla/5.0 (Wind");
        assertFalse(truncated.contains("Mozilla"), truncated);
    }
}
