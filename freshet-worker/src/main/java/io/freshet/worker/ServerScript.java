package io.freshet.worker;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * A Lua script the library runs on the server by EVALSHA, loading it on first use and again
 * after NOSCRIPT (a restart or SCRIPT FLUSH). Thread-safe.
 */
final class ServerScript {
  private final String body;
  private volatile String sha;

  ServerScript(String... lines) {
    this.body = String.join("\n", lines);
  }

  <T> T run(RedisClusterCommands<String, String> redis, ScriptOutputType type, String[] keys, String[] args) {
    String s = sha;
    if (s == null) {
      s = sha = redis.scriptLoad(body);
    }
    try {
      return redis.evalsha(s, type, keys, args);
    } catch (RedisNoScriptException e) {
      sha = redis.scriptLoad(body);
      return redis.evalsha(sha, type, keys, args);
    }
  }
}
