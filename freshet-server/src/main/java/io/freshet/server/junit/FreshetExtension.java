package io.freshet.server.junit;

import io.freshet.server.FreshetServer;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class its own in-process Freshet server on a free port, so Redis client code is
 * tested without Docker or an installed Redis.
 *
 * <pre>{@code
 * @ExtendWith(FreshetExtension.class)
 * class OrderPipelineTest {
 *   @FreshetPort int port;                       // injected field, or
 *   @Test void works(@FreshetPort int port) {}  // injected parameter;
 *   @Test void raw(FreshetServer server) {}      // the server itself
 * }
 * }</pre>
 *
 * <p>The server starts before the first test of the class and stops after the last one; its data
 * directory is a temporary one, deleted afterwards. Runs on JUnit's thread.
 */
public final class FreshetExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FreshetExtension.class);

  private record Running(FreshetServer server, Path dir) {}

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path dir = Files.createTempDirectory("freshet-test");
    FreshetServer server = FreshetServer.builder().port(0).dataDir(dir).start();
    context.getStore(NS).put("server", new Running(server, dir));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Running running = context.getStore(NS).remove("server", Running.class);
    if (running != null) {
      running.server().close();
      try (Stream<Path> files = Files.walk(running.dir())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static FreshetServer server(ExtensionContext context) {
    ExtensionContext c = context;
    while (c != null) {
      Running r = c.getStore(NS).get("server", Running.class);
      if (r != null) {
        return r.server();
      }
      c = c.getParent().orElse(null);
    }
    throw new IllegalStateException("FreshetExtension: no server (is the extension registered on the class?)");
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    Object instance = context.getRequiredTestInstance();
    for (Class<?> c = instance.getClass(); c != null; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.isAnnotationPresent(FreshetPort.class)) {
          f.setAccessible(true);
          f.setInt(instance, server(context).port());
        }
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.isAnnotated(FreshetPort.class) || p.getParameter().getType() == FreshetServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    FreshetServer server = server(e);
    return p.getParameter().getType() == FreshetServer.class ? server : server.port();
  }
}
