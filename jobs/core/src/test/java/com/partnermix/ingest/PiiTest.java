package com.partnermix.ingest;

import com.partnermix.common.PersonalDataPatterns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PiiTest {

    private final Pii pii = new Pii("salt-a", 24, 48);

    /** What verify's no_raw_personal_data invariant looks for: a redacted line must match none of them. */
    private static final List<Pattern> RAW_PERSONAL_DATA = List.of(Pattern.compile(PersonalDataPatterns.RAW_IPV4),
            Pattern.compile(PersonalDataPatterns.RAW_IPV6), Pattern.compile(PersonalDataPatterns.RAW_USER_AGENT));

    private static void assertNoPersonalData(String redacted, String... raw) {
        for (Pattern p : RAW_PERSONAL_DATA) {
            assertFalse(p.matcher(redacted).find(), "matches " + p + ": " + redacted);
        }
        for (String value : raw) {
            assertFalse(redacted.contains(value), "holds '" + value + "': " + redacted);
        }
    }

    @Test
    void hashIsStable() {
        assertEquals(pii.hash("203.0.113.7"), pii.hash("203.0.113.7"));
        assertNotEquals(pii.hash("203.0.113.7"), new Pii("salt-b", 24, 48).hash("203.0.113.7"));
        assertEquals(64, pii.hash("x").length());
    }

    @Test
    void hashIsHmacSha256KeyedWithTheSalt() {
        // RFC 4231, test case 2: key "Jefe"
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                new Pii("Jefe", 24, 48).hash("what do ya want for nothing?"));
    }

    @Test
    void networkPrefixKeepsOnlyTheNetwork() {
        assertEquals("203.0.113.0/24", pii.networkPrefix("203.0.113.7"));
        assertEquals("2001:db8:abcd::/48", pii.networkPrefix("2001:db8:abcd:12:1:2:3:4"));
        assertNull(pii.networkPrefix("999.1.1.1"));
        assertNull(pii.networkPrefix("example.com"));
        assertNull(pii.networkPrefix("aa:bb:cc:dd:ee:ff"));
    }

    @Test
    void storedPrefixIsTheKeyedHashOfTheNetworkUnlessCidrIsConfigured() {
        assertEquals(pii.hash("203.0.113.0/24"), pii.storedPrefix("203.0.113.7"));
        assertEquals(pii.storedPrefix("203.0.113.7"), pii.storedPrefix("203.0.113.250"));   // NAT populations still group
        assertEquals(pii.hash("2001:db8:abcd::/48"), pii.storedPrefix("2001:db8:abcd:12:1:2:3:4"));
        assertNull(pii.storedPrefix("not an address"));
        Pii cidr = new Pii("salt-a", 24, 48, false, Pii.DEFAULT_URL_PARAMS);
        assertEquals("203.0.113.0/24", cidr.storedPrefix("203.0.113.7"));
    }

    @Test
    void redactedRawLinesHoldNoIpOrUserAgentEvenWhenTruncated() {
        String line = "{\"event_id\":\"e\",\"ip\":\"203.0.113.7\",\"user_agent\":\"Mozilla/5.0 (iPhone)\",\"x\":\"10.1.2.3\"}";
        String redacted = pii.redactRawLine(line);
        assertNoPersonalData(redacted, "203.0.113.7", "Mozilla", "10.1.2.3");
        assertTrue(redacted.contains("\"ip\":\"hmac:" + pii.hash("203.0.113.7") + "\""), redacted);
        assertTrue(redacted.startsWith("{\"event_id\":\"e\","), redacted);
        String truncated = pii.redactRawLine("{\"event_id\":\"e\",\"user_agent\":\"Mozilla/5.0 (Wind");
        assertEquals("{\"event_id\":\"e\",\"user_agent\":\"hmac:" + pii.hash("Mozilla/5.0 (Wind"), truncated);
    }

    @Test
    void keysWrittenWithEscapesAreRecognised() {
        String line = "{\"event_id\":\"e\",\"\\u0069p\":\"198.51.100.9\",\"user_\\u0061gent\":\"Opera Mini 7 (J2ME)\"}";
        String redacted = pii.redactRawLine(line);
        assertNoPersonalData(redacted, "198.51.100.9", "Opera Mini");
        assertTrue(redacted.contains("\"\\u0069p\":\"hmac:" + pii.hash("198.51.100.9") + "\""), redacted);
    }

    @Test
    void singleQuotedAndUnquotedValuesAreRedacted() {
        String singleQuoted = pii.redactRawLine("{'event_id': 'e-1', 'ip': '203.0.113.7', 'user_agent': 'MyShopApp 4.2 (Pixel 8)'}");
        assertNoPersonalData(singleQuoted, "203.0.113.7", "MyShopApp");
        assertTrue(singleQuoted.contains("'event_id': 'e-1'"), singleQuoted);
        String unquoted = pii.redactRawLine("{event_id: e-2, ip: 2001:db8:85a3::8a2e:370:7334, user_agent: Mozilla/5.0 (X11;"
                + " Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36, country: SG}");
        assertNoPersonalData(unquoted, "2001:db8", "X11", "KHTML", "Chrome");
        assertTrue(unquoted.contains("event_id: e-2,") && unquoted.endsWith(", country: SG}"), unquoted);
        assertTrue(unquoted.contains("ip: hmac:" + pii.hash("2001:db8:85a3::8a2e:370:7334") + ","), unquoted);
    }

    @Test
    void addressesAndAgentsOutsideTheirFieldsAreMasked() {
        String line = "{\"event_id\":\"e\",\"note\":\"from 2001:db8::1, [fe80::1] and ::ffff:192.0.2.1 port 10.0.0.1:8080\","
                + "\"agent\":\"curl/8.4.0\",\"hidden\":\"\\u0031\\u0030.1.2.3\",\"event_ts\":\"2026-11-19T21:15:03.000+08:00\","
                + "\"sub_id\":\"10:00:00\",\"mac\":\"aa:bb:cc:dd:ee:ff\",\"contact\":\"jane.doe@example.com\"}";
        String redacted = pii.redactRawLine(line);
        assertNoPersonalData(redacted, "2001:db8", "fe80", "192.0.2.1", "10.0.0.1", "curl", "10.1.2.3", "jane.doe");
        // what a reviewer needs stays: times, clock-like ids, a MAC-like id (not an address)
        assertTrue(redacted.contains("\"event_ts\":\"2026-11-19T21:15:03.000+08:00\""), redacted);
        assertTrue(redacted.contains("\"sub_id\":\"10:00:00\"") && redacted.contains("aa:bb:cc:dd:ee:ff"), redacted);
    }

    @Test
    void urlsInQuarantinedLinesAreSanitised() {
        String redacted = pii.redactRawLine("{\"event_id\":\"e\",\"landing_url\":\"https://shop.example.com/p?afsrc=1"
                + "&email=jane%40example.com\",\"event_type\":\"swipe\"}");
        assertTrue(redacted.contains("\"landing_url\":\"https://shop.example.com/p?afsrc=1&email=hmac:"), redacted);
        assertFalse(redacted.contains("jane"), redacted);
    }

    /** Spark runs a task on a pool thread with the default stack; the old pattern overflowed it at 3,000 characters. */
    @ParameterizedTest(name = "{0} characters")
    @ValueSource(ints = {3_000, 100_000})
    void aVeryLongUserAgentIsRedactedOnATaskThread(int length) throws Exception {
        String agent = "Mozilla/5.0 " + "(x; y) ".repeat(length / 7);
        String line = "{\"event_id\":\"e\",\"ip\":\"203.0.113.7\",\"user_agent\":\"" + agent + "\",\"event_type\":\"swipe\"}";
        AtomicReference<Object> result = new AtomicReference<>();
        Thread task = new Thread(() -> {
            try {
                result.set(pii.redactRawLine(line));
            } catch (Throwable t) {
                result.set(t);
            }
        });
        task.start();
        task.join();
        assertTrue(result.get() instanceof String, "redaction failed: " + result.get());
        String redacted = (String) result.get();
        assertEquals("{\"event_id\":\"e\",\"ip\":\"hmac:" + pii.hash("203.0.113.7") + "\",\"user_agent\":\"hmac:"
                + pii.hash(agent) + "\",\"event_type\":\"swipe\"}", redacted);
    }

    @Test
    void urlsKeepAllowListedParametersAndPseudonymiseTheRest() {
        String url = "https://shop.example.com/yoga/mats?afsrc=1&utm_source=nl&UTM_Campaign=bf&coupon=MAYA20"
                + "&email=jane%40example.com&token=s3cr3t&gclid=abc&flag#access_token=xyz";
        assertEquals("https://shop.example.com/yoga/mats?afsrc=1&utm_source=nl&UTM_Campaign=bf&coupon=MAYA20"
                + "&email=" + pii.token("jane%40example.com") + "&token=" + pii.token("s3cr3t") + "&gclid="
                + pii.token("abc") + "&" + pii.token("flag") + "#" + pii.token("access_token=xyz"), pii.sanitizeUrl(url));
        assertEquals(pii.sanitizeUrl(url), pii.sanitizeUrl(url));
        assertEquals("https://shop.example.com/cart", pii.sanitizeUrl("https://jane:pw@shop.example.com/cart"));
        assertEquals("https://shop.example.com/unsubscribe/" + pii.token("jane@example.com"),
                pii.sanitizeUrl("https://shop.example.com/unsubscribe/jane@example.com"));
        assertEquals("http://ip-redacted/landing?afsrc=1", pii.sanitizeUrl("http://198.51.100.23/landing?afsrc=1"));
        assertEquals("https://shop.example.com/", pii.sanitizeUrl("https://shop.example.com/"));
        assertEquals("not a url at all", pii.sanitizeUrl("not a url at all"));
        assertNull(pii.sanitizeUrl(null));
        Pii narrow = new Pii("salt-a", 24, 48, true, List.of("afsrc"));
        assertEquals("https://s.example/?afsrc=1&utm_source=" + pii.token("nl"),
                narrow.sanitizeUrl("https://s.example/?afsrc=1&utm_source=nl"));
    }
}
