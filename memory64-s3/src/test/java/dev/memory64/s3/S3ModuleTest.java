package dev.memory64.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.RegionBacking;
import dev.memory64.RemoteTransportProvider;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How an application finds the S3 transport without naming it: the service loader, through the
 * module descriptor on the module path and through {@code META-INF/services} on the class path
 * (where these tests run), and what {@link S3Options} refuses and never prints.
 */
class S3ModuleTest {

    @Test
    void theServiceLoaderFindsTheS3TransportSoThatAnS3UriIsAccepted() {
        List<RemoteTransportProvider> found =
                ServiceLoader.load(RemoteTransportProvider.class).stream()
                        .map(ServiceLoader.Provider::get)
                        .toList();
        assertEquals(1, found.size(), found.toString());
        assertInstanceOf(S3TransportProvider.class, found.getFirst());
        assertEquals(Set.of("s3"), found.getFirst().schemes());
        assertInstanceOf(
                RegionBacking.Remote.class,
                RegionBacking.remote(URI.create("s3://bucket/model.gguf"), Path.of("/tmp")));
    }

    @Test
    void theModuleProvidesTheTransportOnTheModulePath() {
        ModuleDescriptor module =
                ModuleFinder.of(Path.of("target", "classes"))
                        .find("dev.memory64.s3")
                        .orElseThrow()
                        .descriptor();
        ModuleDescriptor.Provides provides = module.provides().iterator().next();
        assertEquals(1, module.provides().size(), module.provides().toString());
        assertEquals("dev.memory64.RemoteTransportProvider", provides.service());
        assertEquals(List.of("dev.memory64.s3.S3TransportProvider"), provides.providers());
        assertEquals(Set.of("dev.memory64.s3"), packagesExported(module));
    }

    private static Set<String> packagesExported(ModuleDescriptor module) {
        return Set.copyOf(module.exports().stream().map(ModuleDescriptor.Exports::source).toList());
    }

    @Test
    void optionsRefuseABlankRegionAndAnEndpointThatIsNotHttpAndNeverPrintAKey() {
        assertThrows(IllegalArgumentException.class, () -> S3Options.defaults().withRegion(" "));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> S3Options.defaults().withEndpoint(URI.create("ftp://h:1")));
        assertTrue(e.getMessage().contains("ftp://h:1"), e.getMessage());
        String shown = S3Options.defaults().withCredentials("AKID", "the-secret").toString();
        assertTrue(!shown.contains("the-secret") && !shown.contains("AKID"), shown);
        assertTrue(S3Options.defaults().toString().contains("default chain"));
    }

    @Test
    void anS3UriWithoutABucketOrAKeyIsRefusedNamingIt() {
        for (String uri : List.of("s3://bucket", "s3://bucket/", "s3:///key")) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    S3Options.defaults()
                                            .withRegion("us-east-1")
                                            .transport()
                                            .open(
                                                    URI.create(uri),
                                                    dev.memory64.RemoteOptions.defaults()),
                            uri);
            assertTrue(e.getMessage().contains("s3://bucket/key"), e.getMessage());
        }
    }
}
