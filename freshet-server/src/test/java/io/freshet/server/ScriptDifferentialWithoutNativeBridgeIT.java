package io.freshet.server;

import io.freshet.server.testing.OraclePair;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole script corpus again with redis.call on luajava's generic path instead of the native
 * bridge (what runs where the bridge could not be built): the same bytes as Redis either way.
 */
class ScriptDifferentialWithoutNativeBridgeIT extends ScriptDifferentialIT {
  @BeforeAll
  static void withoutNativeBridge() throws Exception {
    servers.close();
    servers = OraclePair.start(Map.of("freshet-lua-native-bridge", "no"));
  }
}
