package io.freshet.engine.command;

import io.freshet.engine.Call;

/** Executes one command. Implementations run on the engine thread only. */
@FunctionalInterface
public interface Handler {
  void run(Call call);
}
