package io.freshet.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the dependencies pointing the way docs/design.md draws them. Maven's module graph already
 * stops the engine from seeing storage, Lua or Netty, and the worker and CLI from seeing the
 * server's insides (they are not on this classpath); these rules cover what it cannot: the
 * packages inside the engine, who registers command handlers, and where Netty may be used.
 */
class LayeringTest {
  private static JavaClasses freshet;

  @BeforeAll
  static void importClasses() {
    freshet = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.freshet");
  }

  @Test
  void theProtocolPackageIsALeaf() {
    noClasses().that().resideInAPackage("io.freshet.engine.protocol..")
        .should().dependOnClassesThat().resideInAnyPackage("io.freshet.engine", "io.freshet.engine.command..",
            "io.freshet.engine.keyspace..", "io.freshet.engine.stream..")
        .check(freshet);
  }

  @Test
  void streamsKnowOnlyTheProtocolPackage() {
    noClasses().that().resideInAPackage("io.freshet.engine.stream..")
        .should().dependOnClassesThat().resideInAnyPackage("io.freshet.engine", "io.freshet.engine.command..",
            "io.freshet.engine.keyspace..")
        .check(freshet);
  }

  @Test
  void theKeyspaceDoesNotKnowCommandsOrTheEngine() {
    noClasses().that().resideInAPackage("io.freshet.engine.keyspace..")
        .should().dependOnClassesThat().resideInAnyPackage("io.freshet.engine", "io.freshet.engine.command..")
        .check(freshet);
  }

  @Test
  void onlyTheEngineAndScriptingRegisterCommandHandlers() {
    noClasses().that().resideInAnyPackage("io.freshet.storage..", "io.freshet.server..")
        .should().dependOnClassesThat().resideInAPackage("io.freshet.engine.command..")
        .check(freshet);
  }

  @Test
  void theNetworkLibraryStaysInTheServer() {
    noClasses().that().resideInAnyPackage("io.freshet.engine..", "io.freshet.storage..", "io.freshet.lua..")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .check(freshet);
  }
}
