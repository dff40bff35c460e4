package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code hf://} URIs to resolve URLs, and the redirect rules the Hub's transport relies on. */
class HuggingFaceHubTest {

    private static final HuggingFaceHub HUB =
            new HuggingFaceHub(HuggingFaceHub.DEFAULT_ENDPOINT, null);

    @ParameterizedTest
    @CsvSource({
        // the default revision is main
        "hf://acme/tiny/m.gguf, https://huggingface.co/acme/tiny/resolve/main/m.gguf",
        // a revision, a subdirectory
        "hf://acme/tiny@v1.0/q4/m.gguf, https://huggingface.co/acme/tiny/resolve/v1.0/q4/m.gguf",
        // a commit, and a revision with a slash written percent-encoded, kept so
        "hf://acme/tiny@0123abc/m.gguf, https://huggingface.co/acme/tiny/resolve/0123abc/m.gguf",
        "hf://acme/tiny@refs%2Fpr%2F1/m.gguf,"
                + " https://huggingface.co/acme/tiny/resolve/refs%2Fpr%2F1/m.gguf",
        // a dataset's file, and a space's
        "hf://datasets/acme/corpus@v2/w/m.gguf,"
                + " https://huggingface.co/datasets/acme/corpus/resolve/v2/w/m.gguf",
        "hf://spaces/acme/demo/m.gguf, https://huggingface.co/spaces/acme/demo/resolve/main/m.gguf",
        // an encoded space in a file name stays encoded
        "hf://acme/tiny/my%20model.gguf, https://huggingface.co/acme/tiny/resolve/main/my%20model.gguf",
    })
    void resolvesAnHfUriToTheHubsResolveUrl(String hf, String resolved) {
        assertEquals(URI.create(resolved), HUB.resolve(URI.create(hf)));
    }

    @Test
    void aMirrorsEndpointIsUsedWithOrWithoutATrailingSlash() {
        for (String base : List.of("http://127.0.0.1:8080", "http://127.0.0.1:8080/")) {
            assertEquals(
                    URI.create("http://127.0.0.1:8080/acme/tiny/resolve/main/m.gguf"),
                    HUB.withEndpoint(URI.create(base))
                            .resolve(URI.create("hf://acme/tiny/m.gguf")));
        }
        assertEquals(
                URI.create("https://mirror.example/hf/acme/tiny/resolve/main/m.gguf"),
                HUB.withEndpoint(URI.create("https://mirror.example/hf"))
                        .resolve(URI.create("hf://acme/tiny/m.gguf")));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "hf://acme/m.gguf", // no repository
                "hf://datasets/acme/m.gguf", // a dataset without a repository
                "hf://acme/tiny/", // no file
                "hf://acme/tiny@/m.gguf", // an empty revision
                "hf://acme/tiny/../other/m.gguf", // a dot segment
                "hf://acme/tiny/m.gguf?x=1", // a query
                "hf://user@acme/tiny/m.gguf", // user info
                "hf://acme:8080/tiny/m.gguf", // a port
                "https://huggingface.co/acme/tiny/resolve/main/m.gguf", // not hf
            })
    void refusesWhatIsNotOwnerRepoRevisionPath(String uri) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HUB.resolve(URI.create(uri)));
        assertTrue(e.getMessage().contains(uri), e.getMessage());
    }

    @Test
    void theTokenIsNeverShownAndMustBeOneLine() {
        HuggingFaceHub hub = HUB.withToken("hf_secret");
        assertFalse(hub.toString().contains("hf_secret"), hub.toString());
        assertThrows(IllegalArgumentException.class, () -> HUB.withToken("hf_a\r\nX-Evil: 1"));
        assertThrows(IllegalArgumentException.class, () -> HUB.withToken(" "));
        assertThrows(
                IllegalArgumentException.class,
                () -> HUB.withEndpoint(URI.create("ftp://mirror.example")));
    }

    @Test
    void originsCompareSchemeHostAndPortWithDefaultPortsMadeExplicit() {
        assertEquals(
                HttpConnections.origin(URI.create("https://HuggingFace.co/a")),
                HttpConnections.origin(URI.create("https://huggingface.co:443/b")));
        assertFalse(
                HttpConnections.origin(URI.create("http://127.0.0.1:80/a"))
                        .equals(HttpConnections.origin(URI.create("http://127.0.0.1:81/a"))));
        assertFalse(
                HttpConnections.origin(URI.create("https://huggingface.co/a"))
                        .equals(
                                HttpConnections.origin(
                                        URI.create("https://cdn.huggingface.co/a"))));
    }

    private static HttpTransport.Answer redirect(int status, String location) {
        return new HttpTransport.Answer(
                status,
                HttpHeaders.of(
                        location == null ? Map.of() : Map.of("Location", List.of(location)),
                        (k, v) -> true),
                -1);
    }

    @Test
    void aRedirectFromHttpsToHttpIsRefusedNamingTheUriAndTheStatus() throws Exception {
        URI name = URI.create("hf://acme/tiny/m.gguf");
        URI from = URI.create("https://huggingface.co/acme/tiny/resolve/main/m.gguf");
        try (HttpTransport t =
                new HttpTransport(
                        from, name, RemoteOptions.defaults(), UnaryOperator.identity(), false)) {
            RemoteFetchException e =
                    assertThrows(
                            RemoteFetchException.class,
                            () -> t.redirect(from, redirect(302, "http://cdn.example/blob"), 0, 1));
            assertEquals(302, e.status());
            assertTrue(e.getMessage().contains(name.toString()), e.getMessage());
            assertTrue(
                    e.getMessage().contains("refused a redirect from https to http"),
                    e.getMessage());
            // Followed: https to https (relative or not), http to https; not redirects: the rest.
            assertEquals(
                    URI.create("https://huggingface.co/other/m.gguf"),
                    t.redirect(from, redirect(307, "/other/m.gguf"), 0, 1));
            assertEquals(
                    URI.create("https://cdn.example/blob?sig=1"),
                    t.redirect(from, redirect(302, "https://cdn.example/blob?sig=1"), 0, 1));
            assertEquals(
                    URI.create("https://cdn.example/blob"),
                    t.redirect(
                            URI.create("http://a.example/x"),
                            redirect(301, "https://cdn.example/blob"),
                            0,
                            1));
            assertNull(t.redirect(from, redirect(206, "https://cdn.example/blob"), 0, 1));
            assertNull(t.redirect(from, redirect(302, null), 0, 1));
            assertNull(t.redirect(from, redirect(304, "https://cdn.example/blob"), 0, 1));
        }
    }
}
